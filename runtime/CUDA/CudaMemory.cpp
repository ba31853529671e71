// Driver-backed device and pinned host memory.
#include "runtime/CUDA/CudaMemory.h"

#include "runtime/CUDA/CuCheck.h"

#include <utility>

namespace loom::rt {

StatusOr<uint64_t> CudaMemoryBackend::allocate(size_t bytes) {
  const DriverApi &cu = context_.api();
  CUdeviceptr address = 0;
  LOOM_CU_CHECK(cu.cuMemAlloc(&address, bytes));
  return static_cast<uint64_t>(address);
}

void CudaMemoryBackend::release(uint64_t address, size_t) {
  context_.api().cuMemFree(static_cast<CUdeviceptr>(address));
}

Status copyToDeviceSync(const Context &context, CUdeviceptr dst, const void *src,
                        size_t bytes) {
  const DriverApi &cu = context.api();
  LOOM_CU_CHECK(cu.cuMemcpyHtoD(dst, src, bytes));
  return Status::ok();
}

Status copyToHostSync(const Context &context, void *dst, CUdeviceptr src, size_t bytes) {
  const DriverApi &cu = context.api();
  LOOM_CU_CHECK(cu.cuMemcpyDtoH(dst, src, bytes));
  return Status::ok();
}

StatusOr<PinnedHostBuffer> PinnedHostBuffer::allocate(const Context &context, size_t bytes) {
  const DriverApi &cu = context.api();
  void *data = nullptr;
  LOOM_CU_CHECK(cu.cuMemHostAlloc(&data, bytes, 0));
  return PinnedHostBuffer(&context, data, bytes);
}

PinnedHostBuffer::PinnedHostBuffer(PinnedHostBuffer &&other) noexcept {
  *this = std::move(other);
}

PinnedHostBuffer &PinnedHostBuffer::operator=(PinnedHostBuffer &&other) noexcept {
  if (this != &other) {
    if (data_)
      context_->api().cuMemFreeHost(data_);
    context_ = std::exchange(other.context_, nullptr);
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

PinnedHostBuffer::~PinnedHostBuffer() {
  if (data_)
    context_->api().cuMemFreeHost(data_);
}

} // namespace loom::rt

// Device memory from the driver (the allocator's backend) and pinned host buffers.
#pragma once

#include "runtime/CUDA/Context.h"
#include "runtime/CUDA/DeviceAllocator.h"

namespace loom::rt {

/// cuMemAlloc / cuMemFree in one context.
class CudaMemoryBackend final : public DeviceMemoryBackend {
public:
  explicit CudaMemoryBackend(const Context &context) : context_(context) {}
  StatusOr<uint64_t> allocate(size_t bytes) override;
  void release(uint64_t address, size_t bytes) override;

private:
  const Context &context_;
};

/// Synchronous copies (they return when the data has arrived); Stream has the asynchronous ones.
Status copyToDeviceSync(const Context &context, CUdeviceptr dst, const void *src, size_t bytes);
Status copyToHostSync(const Context &context, void *dst, CUdeviceptr src, size_t bytes);

/// Page-locked host memory (cuMemHostAlloc), so copies on a stream are truly asynchronous.
class PinnedHostBuffer {
public:
  static StatusOr<PinnedHostBuffer> allocate(const Context &context, size_t bytes);
  PinnedHostBuffer(PinnedHostBuffer &&other) noexcept;
  PinnedHostBuffer &operator=(PinnedHostBuffer &&other) noexcept;
  ~PinnedHostBuffer();

  void *data() const { return data_; }
  size_t size() const { return size_; }
  template <typename T> T *as() const { return static_cast<T *>(data_); }

private:
  PinnedHostBuffer(const Context *context, void *data, size_t size)
      : context_(context), data_(data), size_(size) {}
  const Context *context_ = nullptr;
  void *data_ = nullptr;
  size_t size_ = 0;
};

} // namespace loom::rt

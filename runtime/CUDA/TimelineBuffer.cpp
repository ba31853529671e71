// TimelineBuffer: allocation, module attachment and read-back.
#include "runtime/CUDA/TimelineBuffer.h"

#include "runtime/CUDA/CuCheck.h"

#include <algorithm>
#include <fmt/format.h>

namespace loom::rt {

StatusOr<std::unique_ptr<TimelineBuffer>>
TimelineBuffer::create(const Context &context, uint32_t capacity, uint32_t maxBlocks) {
  const DriverApi &cu = context.api();
  size_t bytes =
      256 + uint64_t(capacity) * sizeof(TimelineRecord) + uint64_t(maxBlocks) * sizeof(uint64_t);
  CUdeviceptr base = 0;
  LOOM_CU_CHECK(cu.cuMemAlloc(&base, bytes));
  std::unique_ptr<TimelineBuffer> buffer(new TimelineBuffer(context, base, capacity, maxBlocks));
  LOOM_CU_CHECK(cu.cuMemsetD8Async(base, 0, bytes, nullptr));
  LOOM_RETURN_IF_ERROR(context.synchronize());
  return buffer;
}

TimelineBuffer::~TimelineBuffer() { context_.api().cuMemFree(base_); }

Status TimelineBuffer::attach(const Module &module, uint32_t kernel) const {
  LOOM_ASSIGN_OR_RETURN(CUdeviceptr variable,
                        module.global("loom_timeline", sizeof(TimelineTarget)));
  TimelineTarget target{
      recordsAddress(), afterWaitAddress(), countAddress(), capacity_, maxBlocks_, kernel, 0};
  const DriverApi &cu = context_.api();
  LOOM_CU_CHECK(cu.cuMemcpyHtoD(variable, &target, sizeof(target)));
  return Status::ok();
}

Status TimelineBuffer::reset(const Stream &stream) const {
  const DriverApi &cu = context_.api();
  LOOM_CU_CHECK(cu.cuMemsetD8Async(countAddress(), 0, sizeof(uint32_t), stream.handle()));
  return Status::ok();
}

StatusOr<TimelineSnapshot> TimelineBuffer::read(const Stream &stream) const {
  LOOM_RETURN_IF_ERROR(stream.synchronize());
  const DriverApi &cu = context_.api();
  uint32_t count = 0;
  LOOM_CU_CHECK(cu.cuMemcpyDtoH(&count, countAddress(), sizeof(count)));
  TimelineSnapshot snapshot;
  uint32_t kept = std::min(count, capacity_);
  snapshot.dropped = count - kept;
  snapshot.records.resize(kept);
  if (kept)
    LOOM_CU_CHECK(
        cu.cuMemcpyDtoH(snapshot.records.data(), recordsAddress(), kept * sizeof(TimelineRecord)));
  return snapshot;
}

} // namespace loom::rt

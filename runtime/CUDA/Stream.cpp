// Streams and events.
#include "runtime/CUDA/Stream.h"

#include "runtime/CUDA/CuCheck.h"

namespace loom::rt {

StatusOr<std::unique_ptr<Stream>> Stream::create(const Context &context) {
  const DriverApi &cu = context.api();
  CUstream stream = nullptr;
  LOOM_CU_CHECK(cu.cuStreamCreate(&stream, CU_STREAM_NON_BLOCKING));
  return std::unique_ptr<Stream>(new Stream(&context, stream));
}

Stream::~Stream() { context_->api().cuStreamDestroy(stream_); }

Status Stream::synchronize() const {
  const DriverApi &cu = context_->api();
  LOOM_CU_CHECK(cu.cuStreamSynchronize(stream_));
  return Status::ok();
}

Status Stream::copyToDevice(CUdeviceptr dst, const void *src, size_t bytes) const {
  const DriverApi &cu = context_->api();
  LOOM_CU_CHECK(cu.cuMemcpyHtoDAsync(dst, src, bytes, stream_));
  return Status::ok();
}

Status Stream::copyToHost(void *dst, CUdeviceptr src, size_t bytes) const {
  const DriverApi &cu = context_->api();
  LOOM_CU_CHECK(cu.cuMemcpyDtoHAsync(dst, src, bytes, stream_));
  return Status::ok();
}

Status Stream::copyDeviceToDevice(CUdeviceptr dst, CUdeviceptr src, size_t bytes) const {
  const DriverApi &cu = context_->api();
  LOOM_CU_CHECK(cu.cuMemcpyDtoDAsync(dst, src, bytes, stream_));
  return Status::ok();
}

Status Stream::fill(CUdeviceptr dst, unsigned char value, size_t bytes) const {
  const DriverApi &cu = context_->api();
  LOOM_CU_CHECK(cu.cuMemsetD8Async(dst, value, bytes, stream_));
  return Status::ok();
}

StatusOr<std::unique_ptr<Event>> Event::create(const Context &context) {
  const DriverApi &cu = context.api();
  CUevent event = nullptr;
  LOOM_CU_CHECK(cu.cuEventCreate(&event, CU_EVENT_DEFAULT));
  return std::unique_ptr<Event>(new Event(&context, event));
}

Event::~Event() { context_->api().cuEventDestroy(event_); }

Status Event::record(const Stream &stream) {
  const DriverApi &cu = context_->api();
  LOOM_CU_CHECK(cu.cuEventRecord(event_, stream.handle()));
  return Status::ok();
}

Status Event::synchronize() const {
  const DriverApi &cu = context_->api();
  LOOM_CU_CHECK(cu.cuEventSynchronize(event_));
  return Status::ok();
}

StatusOr<float> Event::millisecondsSince(const Event &start) const {
  const DriverApi &cu = context_->api();
  float milliseconds = 0;
  LOOM_CU_CHECK(cu.cuEventElapsedTime(&milliseconds, start.event_, event_));
  return milliseconds;
}

} // namespace loom::rt

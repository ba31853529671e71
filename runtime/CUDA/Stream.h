// Stream and Event: ordered asynchronous work (copies, launches) and timing points on it.
#pragma once

#include "runtime/CUDA/Context.h"

#include <cstddef>
#include <memory>

namespace loom::rt {

/// A non-blocking CUDA stream, destroyed with the object.
class Stream {
public:
  static StatusOr<std::unique_ptr<Stream>> create(const Context &context);
  ~Stream();
  Stream(const Stream &) = delete;
  Stream &operator=(const Stream &) = delete;

  CUstream handle() const { return stream_; }
  const Context &context() const { return *context_; }
  Status synchronize() const;

  /// Asynchronous copies; host memory must stay valid until the stream reaches them (use
  /// PinnedHostBuffer for truly asynchronous host transfers).
  Status copyToDevice(CUdeviceptr dst, const void *src, size_t bytes) const;
  Status copyToHost(void *dst, CUdeviceptr src, size_t bytes) const;
  Status copyDeviceToDevice(CUdeviceptr dst, CUdeviceptr src, size_t bytes) const;
  Status fill(CUdeviceptr dst, unsigned char value, size_t bytes) const;

private:
  Stream(const Context *context, CUstream stream) : context_(context), stream_(stream) {}
  const Context *context_;
  CUstream stream_;
};

/// A point in a stream: wait on it, or time the work between two of them.
class Event {
public:
  static StatusOr<std::unique_ptr<Event>> create(const Context &context);
  ~Event();
  Event(const Event &) = delete;
  Event &operator=(const Event &) = delete;

  CUevent handle() const { return event_; }
  Status record(const Stream &stream);
  Status synchronize() const;
  /// Milliseconds from `start` to this event (both recorded and complete).
  StatusOr<float> millisecondsSince(const Event &start) const;

private:
  Event(const Context *context, CUevent event) : context_(context), event_(event) {}
  const Context *context_;
  CUevent event_;
};

} // namespace loom::rt

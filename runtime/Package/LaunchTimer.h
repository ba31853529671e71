// LaunchTimer: a package's launch program timed kernel by kernel with CUDA events.
#pragma once

#include "runtime/CUDA/Stream.h"

#include <memory>
#include <vector>

namespace loom::rt {

/// One timed launch of a program run.
struct TimedLaunch {
  size_t kernelIndex = 0;     ///< into Manifest::kernels
  double microseconds = 0;    ///< from the event just before the launch to the one just after
  double gapMicroseconds = 0; ///< from the previous launch's end event to this one's start
};

/// How it works: PackageExecutor::run(dims, stream, &timer) records an event on the stream just
/// before and just after every launch; finish() waits for the last event and reads the pairs.
/// Events are created on first use and reused by later runs. An event between two launches
/// keeps a kernel from overlapping the previous one's tail (programmatic dependent launch), so
/// these are the kernels' times run back to back; time the whole step without a timer for its
/// wall time.
class LaunchTimer {
public:
  explicit LaunchTimer(const Context &context) : context_(context) {}

  /// Forgets the launches recorded so far; call before each timed run.
  void reset();
  /// Records the event before launching `kernelIndex` on `stream`.
  Status beforeLaunch(size_t kernelIndex, const Stream &stream);
  /// Records the event after the launch.
  Status afterLaunch(const Stream &stream);
  /// Waits for the last event; the launches since reset(), in launch order.
  StatusOr<std::vector<TimedLaunch>> finish();

private:
  Status recordNext(const Stream &stream);

  const Context &context_;
  std::vector<std::unique_ptr<Event>> events_; ///< 2 per launch: before, after
  std::vector<size_t> kernels_;
  size_t recorded_ = 0;
};

} // namespace loom::rt

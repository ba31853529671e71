// LaunchTimer: a package's launch program timed kernel by kernel with CUDA events.
#pragma once

#include "runtime/CUDA/Stream.h"

#include <memory>
#include <optional>
#include <vector>

namespace loom::rt {

/// One timed launch of a program run: a kernel, or a CUDA graph replay of a decode bucket.
struct TimedLaunch {
  size_t kernelIndex = 0;     ///< into Manifest::kernels (a kernel launch)
  double microseconds = 0;    ///< from the event just before the launch to the one just after
  double gapMicroseconds = 0; ///< from the previous launch's end event to this one's start
  /// From the origin event (recordOrigin) to this launch's start event; from the first launch's
  /// start event when no origin was recorded.
  double startMicroseconds = 0;
  /// Set: a replay of this decode bucket's graph (kernelIndex unused); unset: a kernel launch.
  std::optional<int> graphBucket;
};

/// How it works: PackageExecutor::run(dims, stream, &timer) records an event on the stream just
/// before and just after every launch (a runner replaying a graph brackets the replay the same
/// way with beforeGraph/afterLaunch); finish() waits for the last event and reads the pairs.
/// Events are created on first use and reused by later runs. An event between two launches
/// keeps a kernel from overlapping the previous one's tail (programmatic dependent launch), so
/// these are the kernels' times run back to back; time the whole step without a timer for its
/// wall time.
class LaunchTimer {
public:
  explicit LaunchTimer(const Context &context) : context_(context) {}

  /// Forgets the launches recorded so far; call before each timed run.
  void reset();
  /// Records the origin event on `stream` (after reset, before the launches): the launches'
  /// startMicroseconds count from it, so a caller that knows the origin's host time (e.g. it
  /// synchronized on originEvent()) can place them on a host timeline.
  Status recordOrigin(const Stream &stream);
  /// The origin event (null before the first recordOrigin).
  const Event *originEvent() const { return origin_.get(); }
  /// Records the event before launching `kernelIndex` on `stream`.
  Status beforeLaunch(size_t kernelIndex, const Stream &stream);
  /// Records the event before replaying the graph of decode bucket `bucket` (> 0).
  Status beforeGraph(int bucket, const Stream &stream);
  /// Records the event after the launch (or replay).
  Status afterLaunch(const Stream &stream);
  /// Waits for the last event; the launches since reset(), in launch order.
  StatusOr<std::vector<TimedLaunch>> finish();

private:
  Status begin(TimedLaunch launch, const Stream &stream);
  Status recordNext(const Stream &stream);

  const Context &context_;
  std::vector<std::unique_ptr<Event>> events_; ///< 2 per launch: before, after
  std::vector<TimedLaunch> launches_;          ///< what each pair brackets
  size_t recorded_ = 0;
  std::unique_ptr<Event> origin_;
  bool originRecorded_ = false;
};

} // namespace loom::rt

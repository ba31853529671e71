// LaunchTimer: event pairs around each launch, read back after the run.
#include "runtime/Package/LaunchTimer.h"

#include <fmt/format.h>

namespace loom::rt {

void LaunchTimer::reset() {
  kernels_.clear();
  recorded_ = 0;
}

Status LaunchTimer::recordNext(const Stream &stream) {
  if (recorded_ == events_.size()) {
    LOOM_ASSIGN_OR_RETURN(std::unique_ptr<Event> event, Event::create(context_));
    events_.push_back(std::move(event));
  }
  return events_[recorded_++]->record(stream);
}

Status LaunchTimer::beforeLaunch(size_t kernelIndex, const Stream &stream) {
  if (recorded_ != 2 * kernels_.size())
    return LOOM_ERROR(StatusCode::kInternal,
                      fmt::format("launch timer: kernel {} started before the previous launch ended",
                                  kernelIndex));
  kernels_.push_back(kernelIndex);
  return recordNext(stream);
}

Status LaunchTimer::afterLaunch(const Stream &stream) {
  if (recorded_ != 2 * kernels_.size() - 1)
    return LOOM_ERROR(StatusCode::kInternal, "launch timer: a launch ended that never began");
  return recordNext(stream);
}

StatusOr<std::vector<TimedLaunch>> LaunchTimer::finish() {
  if (recorded_ != 2 * kernels_.size())
    return LOOM_ERROR(StatusCode::kInternal, "launch timer: the last launch never ended");
  std::vector<TimedLaunch> launches;
  if (kernels_.empty())
    return launches;
  LOOM_RETURN_IF_ERROR(events_[recorded_ - 1]->synchronize());
  for (size_t i = 0; i < kernels_.size(); ++i) {
    TimedLaunch launch{kernels_[i]};
    LOOM_ASSIGN_OR_RETURN(float kernelMs, events_[2 * i + 1]->millisecondsSince(*events_[2 * i]));
    launch.microseconds = 1e3 * kernelMs;
    if (i > 0) {
      LOOM_ASSIGN_OR_RETURN(float gapMs, events_[2 * i]->millisecondsSince(*events_[2 * i - 1]));
      launch.gapMicroseconds = 1e3 * gapMs;
    }
    launches.push_back(launch);
  }
  return launches;
}

} // namespace loom::rt

// LaunchTimer: event pairs around each launch, read back after the run.
#include "runtime/Package/LaunchTimer.h"

#include <fmt/format.h>

namespace loom::rt {

void LaunchTimer::reset() {
  launches_.clear();
  recorded_ = 0;
  originRecorded_ = false;
}

Status LaunchTimer::recordOrigin(const Stream &stream) {
  if (!launches_.empty())
    return LOOM_ERROR(StatusCode::kInternal, "launch timer: the origin comes before the launches");
  if (!origin_) {
    LOOM_ASSIGN_OR_RETURN(origin_, Event::create(context_));
  }
  LOOM_RETURN_IF_ERROR(origin_->record(stream));
  originRecorded_ = true;
  return Status::ok();
}

Status LaunchTimer::recordNext(const Stream &stream) {
  if (recorded_ == events_.size()) {
    LOOM_ASSIGN_OR_RETURN(std::unique_ptr<Event> event, Event::create(context_));
    events_.push_back(std::move(event));
  }
  return events_[recorded_++]->record(stream);
}

Status LaunchTimer::begin(TimedLaunch launch, const Stream &stream) {
  if (recorded_ != 2 * launches_.size())
    return LOOM_ERROR(StatusCode::kInternal,
                      fmt::format("launch timer: launch {} started before the previous one ended",
                                  launches_.size()));
  launches_.push_back(launch);
  return recordNext(stream);
}

Status LaunchTimer::beforeLaunch(size_t kernelIndex, const Stream &stream) {
  return begin(TimedLaunch{kernelIndex}, stream);
}

Status LaunchTimer::beforeGraph(int bucket, const Stream &stream) {
  if (bucket <= 0)
    return LOOM_ERROR(StatusCode::kInternal,
                      fmt::format("launch timer: graph bucket {} is not positive", bucket));
  TimedLaunch launch;
  launch.graphBucket = bucket;
  return begin(launch, stream);
}

Status LaunchTimer::afterLaunch(const Stream &stream) {
  if (recorded_ != 2 * launches_.size() - 1)
    return LOOM_ERROR(StatusCode::kInternal, "launch timer: a launch ended that never began");
  return recordNext(stream);
}

StatusOr<std::vector<TimedLaunch>> LaunchTimer::finish() {
  if (recorded_ != 2 * launches_.size())
    return LOOM_ERROR(StatusCode::kInternal, "launch timer: the last launch never ended");
  std::vector<TimedLaunch> launches = launches_;
  if (launches.empty())
    return launches;
  LOOM_RETURN_IF_ERROR(events_[recorded_ - 1]->synchronize());
  const Event &origin = originRecorded_ ? *origin_ : *events_[0];
  for (size_t i = 0; i < launches.size(); ++i) {
    TimedLaunch &launch = launches[i];
    LOOM_ASSIGN_OR_RETURN(float kernelMs, events_[2 * i + 1]->millisecondsSince(*events_[2 * i]));
    launch.microseconds = 1e3 * kernelMs;
    LOOM_ASSIGN_OR_RETURN(float startMs, events_[2 * i]->millisecondsSince(origin));
    launch.startMicroseconds = 1e3 * startMs;
    if (i > 0) {
      LOOM_ASSIGN_OR_RETURN(float gapMs, events_[2 * i]->millisecondsSince(*events_[2 * i - 1]));
      launch.gapMicroseconds = 1e3 * gapMs;
    }
  }
  return launches;
}

} // namespace loom::rt

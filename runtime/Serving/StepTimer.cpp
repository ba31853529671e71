// StepTimer: steady-clock phases and alternating CUDA event sets.
#include "runtime/Serving/StepTimer.h"

#include <numeric>

namespace loom::rt {

namespace {
constexpr double kMicrosPerMilli = 1e3;
} // namespace

double StepTiming::hostMicrosTotal() const {
  return std::accumulate(hostMicros.begin(), hostMicros.end(), 0.0);
}

StatusOr<std::unique_ptr<StepTimer>> StepTimer::create(const Context &context) {
  std::unique_ptr<StepTimer> timer(new StepTimer());
  for (auto &set : timer->events_)
    for (auto &event : set) {
      LOOM_ASSIGN_OR_RETURN(event, Event::create(context));
    }
  return timer;
}

void StepTimer::beginStep() {
  timing_ = StepTiming{};
  stamp_ = Clock::now();
}

void StepTimer::endPhase(RunnerPhase phase) {
  Clock::time_point now = Clock::now();
  timing_.hostMicros[static_cast<size_t>(phase)] +=
      std::chrono::duration<double, std::micro>(now - stamp_).count();
  stamp_ = now;
}

Status StepTimer::mark(GpuMark mark, const Stream &stream) {
  return events_[current_][static_cast<size_t>(mark)]->record(stream);
}

StatusOr<StepTiming> StepTimer::finishStep() {
  const auto &set = events_[current_];
  auto between = [&](GpuMark from, GpuMark to) -> StatusOr<double> {
    LOOM_ASSIGN_OR_RETURN(float ms, set[static_cast<size_t>(to)]->millisecondsSince(
                                        *set[static_cast<size_t>(from)]));
    return kMicrosPerMilli * ms;
  };
  LOOM_ASSIGN_OR_RETURN(timing_.gpuUploadMicros, between(GpuMark::kStart, GpuMark::kForward));
  LOOM_ASSIGN_OR_RETURN(timing_.gpuForwardMicros,
                        between(GpuMark::kForward, GpuMark::kForwardEnd));
  LOOM_ASSIGN_OR_RETURN(timing_.gpuSampleMicros, between(GpuMark::kForwardEnd, GpuMark::kEnd));
  if (havePrevious_) {
    const Event &previousEnd = *events_[1 - current_][static_cast<size_t>(GpuMark::kEnd)];
    LOOM_ASSIGN_OR_RETURN(float ms,
                          set[static_cast<size_t>(GpuMark::kStart)]->millisecondsSince(previousEnd));
    timing_.gpuIdleBeforeMicros = kMicrosPerMilli * ms;
  }
  havePrevious_ = true;
  current_ = 1 - current_;
  return timing_;
}

} // namespace loom::rt

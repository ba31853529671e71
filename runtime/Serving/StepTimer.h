// StepTimer: where one PackageModelRunner step spends its time — host phases on the steady
// clock, the GPU's spans from CUDA events, and how long the GPU idled before the step.
#pragma once

#include "runtime/CUDA/Stream.h"

#include <array>
#include <chrono>
#include <memory>
#include <optional>

namespace loom::rt {

/// The host phases of a runner step, in the order they run.
enum class RunnerPhase {
  kBuildInputs, ///< step inputs built, padded and staged
  kUpload,      ///< input copies issued (0 when the decode graph holds them)
  kLaunch,      ///< the forward program issued (graph replay or eager launches)
  kSample,      ///< the sampler's copies, kernel and token readback issued
  kWait,        ///< waiting for the stream to reach the tokens
};
inline constexpr size_t kNumRunnerPhases = 5;

/// The points of a step the timer records an event at, in stream order.
enum class GpuMark { kStart, kForward, kForwardEnd, kEnd };
inline constexpr size_t kNumGpuMarks = 4;

/// One step's times in microseconds.
struct StepTiming {
  std::array<double, kNumRunnerPhases> hostMicros{}; ///< indexed by RunnerPhase
  double gpuUploadMicros = 0;  ///< kStart → kForward: input copies (and their host issue)
  double gpuForwardMicros = 0; ///< kForward → kForwardEnd: the forward program
  double gpuSampleMicros = 0;  ///< kForwardEnd → kEnd: sampler and token readback
  /// The previous timed step's kEnd → this step's kStart: the GPU had nothing of this stream to
  /// run. Unset for the first timed step.
  std::optional<double> gpuIdleBeforeMicros;

  double hostMicrosTotal() const;
  double gpuMicrosTotal() const { return gpuUploadMicros + gpuForwardMicros + gpuSampleMicros; }
};

/// How it works: two sets of kNumGpuMarks events alternate between steps, so the previous
/// step's kEnd event is still readable when this step's kStart is (both complete once the step
/// has synchronized); host phases are the steady-clock time between successive endPhase calls
/// from beginStep. Recording an event costs host time (a driver call), so time a run with and
/// without the timer to see its own cost.
class StepTimer {
public:
  static StatusOr<std::unique_ptr<StepTimer>> create(const Context &context);

  /// Starts a step's host clock.
  void beginStep();
  /// Charges the host time since the previous stamp (beginStep or endPhase) to `phase`.
  void endPhase(RunnerPhase phase);
  /// Records the event of `mark` on `stream`.
  Status mark(GpuMark mark, const Stream &stream);
  /// After the stream has passed kEnd: the step's times (reads the events, no wait).
  StatusOr<StepTiming> finishStep();

private:
  using Clock = std::chrono::steady_clock;
  StepTimer() = default;

  std::array<std::array<std::unique_ptr<Event>, kNumGpuMarks>, 2> events_;
  size_t current_ = 0;      ///< the event set of the step in progress
  bool havePrevious_ = false;
  Clock::time_point stamp_;
  StepTiming timing_;
};

} // namespace loom::rt

// TraceRunner: a ModelRunner that records each forward step it passes on — the batch's
// composition on the engine track and, on the gpu backend, every kernel launch and graph replay
// (or capture) with its GPU time on the "GPU" track.
#pragma once

#include "runtime/Engine/ModelRunner.h"
#include "runtime/Engine/Sequence.h"
#include "runtime/Package/LaunchTimer.h"
#include "tools/loom-run/GpuModelParts.h"
#include "tools/loom-run/TraceLaunchEvents.h"
#include "tools/loom-run/TraceRecorder.h"

#include <map>
#include <memory>

namespace loom::rt {
class PackageModelRunner;
}

namespace loom::tools {

/// How it works: run() times the inner runner's step on the host ("forward" event, args: the
/// prefill and decode sequences and tokens). With a package runner, a LaunchTimer brackets each
/// eager launch and each graph replay with CUDA events (PackageModelRunner::setLaunchTimer);
/// before the step the timer's origin event is recorded and waited for (the stream is idle
/// between steps), which ties GPU times to the host clock; after the step — which already
/// waited for its sampled tokens — the event pairs are read without another wait and kept
/// until flush() makes them events (about 3.5 us of host time per event, off the step's path).
/// A step whose graph launch grew the runner's graph count captured its bucket's graph.
/// Sequences seen in a step are remembered until recordRequest() turns them into events.
class TraceRunner final : public rt::ModelRunner {
public:
  /// `gpu` and `packageRunner` are null on the cpu backend; `recorder` must outlive the runner.
  TraceRunner(rt::ModelRunner &inner, const GpuModelParts *gpu, rt::PackageModelRunner *packageRunner,
              TraceRecorder &recorder);
  ~TraceRunner() override;

  StatusOr<std::vector<rt::TokenId>> run(const rt::ScheduledBatch &batch) override;

  /// A request's lifetime (arrival to finish, or to now while it runs) on its own track, and its
  /// first token as an instant; forgets the sequence.
  void recordRequest(const rt::Sequence &sequence);
  /// recordRequest for every sequence seen and not recorded yet, and the GPU events of the
  /// steps so far (kept as raw event times until then: a step only copies them).
  void flush();

  int64_t numSteps() const { return steps_; }

private:
  rt::ModelRunner &inner_;
  const GpuModelParts *gpu_;
  rt::PackageModelRunner *packageRunner_;
  TraceRecorder &recorder_;
  std::unique_ptr<rt::LaunchTimer> timer_;
  std::map<rt::RequestId, std::shared_ptr<const rt::Sequence>> seen_;
  std::vector<StepLaunches> pending_; ///< turned into events by flush()
  int64_t steps_ = 0;
};

} // namespace loom::tools

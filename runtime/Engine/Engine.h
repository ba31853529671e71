// The CPU core of the serving engine: requests in, schedule → run → postprocess, tokens streamed.
#pragma once

#include "runtime/Engine/EngineConfig.h"
#include "runtime/Engine/EngineStats.h"
#include "runtime/Engine/ModelRunner.h"
#include "runtime/Engine/RequestStream.h"
#include "runtime/Engine/Scheduler.h"
#include "runtime/Engine/Sequence.h"
#include "runtime/Support/Status.h"

#include <functional>
#include <memory>
#include <unordered_map>
#include <vector>

namespace loom::rt {

/// Seconds on a monotonic clock; request metrics are measured with it.
using EngineClock = std::function<double()>;
/// std::chrono::steady_clock in seconds.
double steadyClockSeconds();

/// Drives one ModelRunner with a Scheduler. Single-threaded: the caller adds
/// requests and calls `step()` until `hasUnfinished()` is false.
class Engine {
public:
  /// Fails with invalid-argument if `config` is invalid. `detokenizer` (e.g. a tokenizer's
  /// decode) enables text deltas and stop strings.
  static StatusOr<std::unique_ptr<Engine>> create(const EngineConfig &config,
                                                  ModelRunner &runner,
                                                  Detokenizer detokenizer = {},
                                                  EngineClock clock = steadyClockSeconds);

  /// Queues a request and returns its sequence. `onOutput` receives its new tokens and text
  /// after each step that produces some, the last event carrying the finish reason. An invalid
  /// request comes back already finished with FinishReason::kError and `error()` saying why
  /// (its callback is called once, at once); the other requests are unaffected.
  std::shared_ptr<const Sequence> addRequest(std::vector<TokenId> prompt,
                                             SamplingParams params,
                                             StreamCallback onOutput = {});
  /// Finishes a waiting or running request as cancelled (its callback gets the finish);
  /// false if it is unknown or already finished.
  bool cancel(RequestId id);

  /// Runs one step. Returns the sequences that finished in it. On a runner
  /// error nothing advances (no computed tokens, no sampled token), so the
  /// next step schedules the same work again.
  StatusOr<std::vector<std::shared_ptr<const Sequence>>> step();
  using Finished = std::vector<std::shared_ptr<const Sequence>>;
  /// Steps until every request has finished; an error when a step schedules nothing while
  /// requests are pending. `stepper` runs one step (default: step()), e.g. a traced one.
  Status runUntilDone(const std::function<StatusOr<Finished>()> &stepper = {});

  bool hasUnfinished() const { return scheduler_.hasUnfinished(); }
  const Scheduler &scheduler() const { return scheduler_; }
  int64_t numSteps() const { return stats_.steps; }
  /// KV use, preemptions, prefix-cache hit rate, token counts.
  EngineStats stats() const;
  /// Where the host time of the last step that scheduled work went.
  const EngineStepTiming &lastStepTiming() const { return lastStepTiming_; }

private:
  Engine(const EngineConfig &config, ModelRunner &runner, Detokenizer detokenizer,
         EngineClock clock)
      : scheduler_(config, std::move(detokenizer)), runner_(runner), clock_(std::move(clock)) {}
  /// Timestamps, streams and forgets what `batch` produced.
  void publish(const ScheduledBatch &batch);
  void finishStream(Sequence &seq);

  Scheduler scheduler_;
  ModelRunner &runner_;
  EngineClock clock_;
  std::unordered_map<RequestId, RequestStream> streams_; ///< unfinished requests
  RequestId nextRequestId_ = 0;
  EngineStats stats_;
  EngineStepTiming lastStepTiming_;
};

} // namespace loom::rt

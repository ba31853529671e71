// The CPU core of the serving engine: requests in, schedule → run → postprocess.
#pragma once

#include "runtime/Engine/EngineConfig.h"
#include "runtime/Engine/ModelRunner.h"
#include "runtime/Engine/Scheduler.h"
#include "runtime/Engine/Sequence.h"
#include "runtime/Support/Status.h"

#include <memory>
#include <vector>

namespace loom::rt {

/// Drives one ModelRunner with a Scheduler. Single-threaded: the caller adds
/// requests and calls `step()` until `hasUnfinished()` is false.
class Engine {
public:
  /// Fails with invalid-argument if `config` is invalid.
  static StatusOr<std::unique_ptr<Engine>> create(const EngineConfig &config,
                                                  ModelRunner &runner,
                                                  Detokenizer detokenizer = {});

  /// Queues a request and returns its sequence. An invalid request comes back
  /// already finished with FinishReason::kError and `error()` saying why; the
  /// other requests are unaffected.
  std::shared_ptr<const Sequence> addRequest(std::vector<TokenId> prompt,
                                             SamplingParams params);
  bool cancel(RequestId id) { return scheduler_.cancel(id); }

  /// Runs one step. Returns the sequences that finished in it. On a runner
  /// error nothing advances (no computed tokens, no sampled token), so the
  /// next step schedules the same work again.
  StatusOr<std::vector<std::shared_ptr<const Sequence>>> step();
  /// Steps until every request has finished.
  Status runUntilDone();

  bool hasUnfinished() const { return scheduler_.hasUnfinished(); }
  const Scheduler &scheduler() const { return scheduler_; }
  int64_t numSteps() const { return numSteps_; }

private:
  Engine(const EngineConfig &config, ModelRunner &runner, Detokenizer detokenizer)
      : scheduler_(config, std::move(detokenizer)), runner_(runner) {}

  Scheduler scheduler_;
  ModelRunner &runner_;
  RequestId nextRequestId_ = 0;
  int64_t numSteps_ = 0;
};

} // namespace loom::rt

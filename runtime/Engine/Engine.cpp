// Engine: the schedule → run → postprocess loop.
#include "runtime/Engine/Engine.h"

namespace loom::rt {

StatusOr<std::unique_ptr<Engine>> Engine::create(const EngineConfig &config,
                                                 ModelRunner &runner,
                                                 Detokenizer detokenizer) {
  if (Status status = config.validate(); !status)
    return status.withContext("invalid engine configuration");
  return std::unique_ptr<Engine>(new Engine(config, runner, std::move(detokenizer)));
}

std::shared_ptr<const Sequence> Engine::addRequest(std::vector<TokenId> prompt,
                                                   SamplingParams params) {
  RequestId id = nextRequestId_++;
  auto seq = std::make_shared<Sequence>(
      id, std::move(prompt),
      std::make_shared<const SamplingParams>(std::move(params)), id);
  (void)scheduler_.add(seq); // an error is recorded on the sequence
  return seq;
}

StatusOr<std::vector<std::shared_ptr<const Sequence>>> Engine::step() {
  ScheduledBatch batch = scheduler_.schedule();
  std::vector<std::shared_ptr<const Sequence>> finished;
  if (batch.empty())
    return finished;
  LOOM_ASSIGN_OR_RETURN(std::vector<TokenId> sampled, runner_.run(batch));
  LOOM_ASSIGN_OR_RETURN(auto done, scheduler_.postprocess(batch, sampled));
  ++numSteps_;
  finished.assign(done.begin(), done.end());
  return finished;
}

Status Engine::runUntilDone() {
  while (hasUnfinished()) {
    int64_t stepsBefore = numSteps_;
    auto finished = step();
    if (!finished)
      return finished.status();
    // With a valid config the oldest sequence always progresses.
    if (numSteps_ == stepsBefore)
      return LOOM_ERROR(StatusCode::kInternal,
                        "the scheduler scheduled nothing with requests pending");
  }
  return Status::ok();
}

} // namespace loom::rt

// Engine: the schedule → run → postprocess loop, with metrics and streamed output.
#include "runtime/Engine/Engine.h"

#include <algorithm>
#include <chrono>

namespace loom::rt {

namespace {
/// Microseconds between successive lap() calls on the steady clock.
class PhaseClock {
public:
  double lap() {
    auto now = std::chrono::steady_clock::now();
    double micros = std::chrono::duration<double, std::micro>(now - last_).count();
    last_ = now;
    return micros;
  }

private:
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
};
} // namespace

double steadyClockSeconds() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

StatusOr<std::unique_ptr<Engine>> Engine::create(const EngineConfig &config,
                                                 ModelRunner &runner,
                                                 Detokenizer detokenizer, EngineClock clock) {
  if (Status status = config.validate(); !status)
    return status.withContext("invalid engine configuration");
  if (!clock)
    return LOOM_ERROR(StatusCode::kInvalidArgument, "the engine needs a clock");
  return std::unique_ptr<Engine>(
      new Engine(config, runner, std::move(detokenizer), std::move(clock)));
}

std::shared_ptr<const Sequence> Engine::addRequest(std::vector<TokenId> prompt,
                                                   SamplingParams params,
                                                   StreamCallback onOutput) {
  RequestId id = nextRequestId_++;
  auto seq = std::make_shared<Sequence>(
      id, std::move(prompt),
      std::make_shared<const SamplingParams>(std::move(params)), id);
  seq->metrics().arrivalTime = clock_();
  seq->metrics().numPromptTokens = seq->numPromptTokens();
  streams_.emplace(id, RequestStream(std::move(onOutput)));
  if (!scheduler_.add(seq).isOk()) // the error is recorded on the sequence
    finishStream(*seq);
  return seq;
}

bool Engine::cancel(RequestId id) {
  std::shared_ptr<Sequence> seq = scheduler_.cancel(id);
  if (!seq)
    return false;
  finishStream(*seq);
  return true;
}

void Engine::finishStream(Sequence &seq) {
  seq.metrics().finishTime = clock_();
  auto it = streams_.find(seq.id());
  if (it == streams_.end())
    return;
  RequestStream stream = std::move(it->second); // the callback may add requests
  streams_.erase(it);
  stream.update(seq);
}

StatusOr<std::vector<std::shared_ptr<const Sequence>>> Engine::step() {
  PhaseClock clock;
  ScheduledBatch batch = scheduler_.schedule();
  std::vector<std::shared_ptr<const Sequence>> finished;
  if (batch.empty())
    return finished;
  const BlockManager &blocks = scheduler_.blockManager();
  stats_.peakKvBlocksUsed =
      std::max(stats_.peakKvBlocksUsed, blocks.numBlocks() - blocks.numFreeBlocks());
  EngineStepTiming timing;
  timing.scheduleMicros = clock.lap();
  LOOM_ASSIGN_OR_RETURN(std::vector<TokenId> sampled, runner_.run(batch));
  timing.runMicros = clock.lap();
  LOOM_ASSIGN_OR_RETURN(auto done, scheduler_.postprocess(batch, sampled));
  ++stats_.steps;
  stats_.scheduledTokens += batch.numTokens();
  stats_.generatedTokens += batch.numSampled();
  timing.postprocessMicros = clock.lap();
  publish(batch);
  finished.assign(done.begin(), done.end());
  timing.publishMicros = clock.lap();
  lastStepTiming_ = timing;
  return finished;
}

void Engine::publish(const ScheduledBatch &batch) {
  double now = clock_();
  for (const ScheduledSequence &entry : batch.entries) {
    if (!entry.producesToken)
      continue;
    Sequence &seq = *entry.sequence;
    seq.metrics().recordToken(now);
    if (seq.isFinished()) {
      finishStream(seq);
      continue;
    }
    auto it = streams_.find(seq.id());
    if (it != streams_.end())
      it->second.update(seq);
  }
}

EngineStats Engine::stats() const {
  EngineStats stats = stats_;
  const BlockManager &blocks = scheduler_.blockManager();
  stats.preemptions = scheduler_.numPreemptions();
  stats.kvBlocksTotal = blocks.numBlocks();
  stats.kvBlocksUsed = blocks.numBlocks() - blocks.numFreeBlocks();
  stats.prefixHitTokens = blocks.stats().hitTokens;
  stats.prefixMissTokens = blocks.stats().missTokens;
  stats.running = static_cast<int>(scheduler_.numRunning());
  stats.waiting = static_cast<int>(scheduler_.numWaiting());
  return stats;
}

Status Engine::runUntilDone(const std::function<StatusOr<Finished>()> &stepper) {
  while (hasUnfinished()) {
    int64_t stepsBefore = stats_.steps;
    auto finished = stepper ? stepper() : step();
    if (!finished)
      return finished.status();
    // With a valid config the oldest sequence always progresses.
    if (stats_.steps == stepsBefore)
      return LOOM_ERROR(StatusCode::kInternal,
                        "the scheduler scheduled nothing with requests pending");
  }
  return Status::ok();
}

} // namespace loom::rt

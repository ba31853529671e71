// TraceRunner: forward steps, kernel launches and request lifetimes into a TraceRecorder.
#include "tools/loom-run/TraceRunner.h"

#include "runtime/Engine/Engine.h"
#include "runtime/Serving/PackageModelRunner.h"

#include <fmt/format.h>

namespace loom::tools {

namespace {

/// The batch's composition: decode entries compute one token of a sequence that has its prompt
/// cached; the others are prefill chunks.
nlohmann::json batchArgs(const rt::ScheduledBatch &batch, int64_t step) {
  int prefillSeqs = 0, decodeSeqs = 0, prefillTokens = 0;
  for (const rt::ScheduledSequence &entry : batch.entries) {
    bool decode = entry.numTokens == 1 && entry.startPosition >= entry.sequence->numPromptTokens();
    decodeSeqs += decode;
    prefillSeqs += !decode;
    prefillTokens += decode ? 0 : entry.numTokens;
  }
  return {{"step", step},
          {"prefill_seqs", prefillSeqs},
          {"decode_seqs", decodeSeqs},
          {"prefill_tokens", prefillTokens},
          {"tokens", batch.numTokens()},
          {"sampled", batch.numSampled()}};
}

/// The dims the package runs the batch with when it runs it eagerly (rt::buildStepInputs' sizes,
/// without building the inputs).
rt::DimValues stepDims(const rt::ScheduledBatch &batch) {
  int64_t blocksPerSeq = 1;
  for (const rt::ScheduledSequence &entry : batch.entries)
    blocksPerSeq = std::max<int64_t>(blocksPerSeq, entry.sequence->blockTable().size());
  return {{"tokens", batch.numTokens()},
          {"seqs", static_cast<int64_t>(batch.entries.size())},
          {"blocks_per_seq", blocksPerSeq}};
}

} // namespace

TraceRunner::TraceRunner(rt::ModelRunner &inner, const GpuModelParts *gpu,
                         rt::PackageModelRunner *packageRunner, TraceRecorder &recorder)
    : inner_(inner), gpu_(gpu), packageRunner_(packageRunner), recorder_(recorder) {
  recorder_.nameProcess(kEngineTrack.pid, "loom-run");
  recorder_.nameTrack(kEngineTrack, "engine");
  recorder_.nameProcess(kRequestsPid, "requests");
  if (gpu_ && packageRunner_) {
    timer_ = std::make_unique<rt::LaunchTimer>(*gpu_->context);
    packageRunner_->setLaunchTimer(timer_.get());
    recorder_.nameProcess(kGpuTrack.pid, "GPU");
    recorder_.nameTrack(kGpuTrack, "GPU (CUDA events)");
  }
}

TraceRunner::~TraceRunner() {
  if (packageRunner_)
    packageRunner_->setLaunchTimer(nullptr);
}

StatusOr<std::vector<rt::TokenId>> TraceRunner::run(const rt::ScheduledBatch &batch) {
  ++steps_;
  for (const rt::ScheduledSequence &entry : batch.entries)
    seen_.try_emplace(entry.sequence->id(), entry.sequence);
  double start = rt::steadyClockSeconds();
  double origin = start;
  if (timer_) {
    timer_->reset();
    LOOM_RETURN_IF_ERROR(timer_->recordOrigin(*gpu_->stream));
    LOOM_RETURN_IF_ERROR(timer_->originEvent()->synchronize());
    origin = rt::steadyClockSeconds();
  }
  size_t graphsBefore = timer_ ? packageRunner_->stats().numGraphs : 0;
  LOOM_ASSIGN_OR_RETURN(std::vector<rt::TokenId> tokens, inner_.run(batch));
  double end = rt::steadyClockSeconds();
  if (timer_) {
    StepLaunches step{steps_, origin, stepDims(batch), 0,
                      packageRunner_->stats().numGraphs > graphsBefore, {}};
    for (const rt::ScheduledSequence &entry : batch.entries)
      step.contextTokens += entry.startPosition + entry.numTokens;
    LOOM_ASSIGN_OR_RETURN(step.launches, timer_->finish());
    pending_.push_back(std::move(step));
  }
  recorder_.complete(kEngineTrack, "forward", "forward", start, end - start,
                     batchArgs(batch, steps_));
  return tokens;
}

void TraceRunner::recordRequest(const rt::Sequence &sequence) {
  const rt::RequestMetrics &metrics = sequence.metrics();
  TraceTrack track{kRequestsPid, static_cast<int>(sequence.id()) + 1};
  recorder_.nameTrack(track, fmt::format("request {}", sequence.id()));
  double end = metrics.finishTime.value_or(rt::steadyClockSeconds());
  nlohmann::json args = {{"prompt_tokens", sequence.numPromptTokens()},
                         {"output_tokens", sequence.numOutputTokens()},
                         {"preemptions", sequence.numPreemptions()},
                         {"prefix_hit_tokens", metrics.prefixHitTokens},
                         {"finish_reason", sequence.finishReason()
                                               ? rt::finishReasonName(*sequence.finishReason())
                                               : "running"}};
  if (auto ttft = metrics.timeToFirstToken())
    args["ttft_ms"] = *ttft * 1e3;
  recorder_.complete(track, fmt::format("request {}", sequence.id()), "request",
                     metrics.arrivalTime, end - metrics.arrivalTime, std::move(args));
  if (metrics.firstTokenTime)
    recorder_.instant(track, "first token", "request", *metrics.firstTokenTime);
  seen_.erase(sequence.id());
}

void TraceRunner::flush() {
  while (!seen_.empty())
    recordRequest(*seen_.begin()->second);
  for (const StepLaunches &step : pending_)
    recordStepLaunches(recorder_, step, gpu_->executor->manifest(), gpu_->traffic);
  pending_.clear();
}

} // namespace loom::tools

// StepProfiler: eager steps re-run under a LaunchTimer.
#include "tools/loom-run/StepProfiler.h"

#include "runtime/Engine/Engine.h"
#include "runtime/Engine/StepInputs.h"
#include "tools/loom-run/DeviceTiming.h"

#include <fmt/format.h>

#include <algorithm>

namespace loom::tools {

namespace {

constexpr int kTimedRuns = 3;

double median(std::vector<double> values) {
  std::nth_element(values.begin(), values.begin() + values.size() / 2, values.end());
  return values[values.size() / 2];
}

std::string stepKind(const rt::ScheduledBatch &batch) {
  bool decodeOnly = std::all_of(batch.entries.begin(), batch.entries.end(),
                                [](const rt::ScheduledSequence &e) { return e.numTokens == 1; });
  return decodeOnly ? "decode" : "prefill";
}

} // namespace

StatusOr<std::unique_ptr<ProfilingRunner>> ProfilingRunner::create(const GpuModelParts &parts) {
  rt::PackageRunnerOptions options;
  options.decodeGraphs = false;
  options.sampler = parts.sampler;
  LOOM_ASSIGN_OR_RETURN(auto eager,
                        rt::PackageModelRunner::create(*parts.executor, *parts.stream, options));
  return std::unique_ptr<ProfilingRunner>(new ProfilingRunner(parts, std::move(eager)));
}

StatusOr<std::vector<rt::TokenId>> ProfilingRunner::run(const rt::ScheduledBatch &batch) {
  LOOM_ASSIGN_OR_RETURN(std::vector<rt::TokenId> tokens, eager_->run(batch));
  std::string kind = stepKind(batch);
  auto seen = std::find_if(profiles_.begin(), profiles_.end(),
                           [&](const StepProfile &p) { return p.kind == kind; });
  // The first prefill step; the decode-only step of the most sequences (all of them once every
  // prompt has been prefilled).
  if (seen == profiles_.end() ||
      (kind == "decode" && static_cast<int64_t>(batch.entries.size()) > seen->dims.at("seqs"))) {
    LOOM_ASSIGN_OR_RETURN(StepProfile profile, profile(batch, kind));
    if (seen == profiles_.end())
      profiles_.push_back(std::move(profile));
    else
      *seen = std::move(profile);
  }
  return tokens;
}

StatusOr<StepProfile> ProfilingRunner::profile(const rt::ScheduledBatch &batch, std::string kind) {
  LOOM_ASSIGN_OR_RETURN(rt::StepInputs in, rt::buildStepInputs(batch));
  StepProfile profile;
  profile.kind = std::move(kind);
  profile.dims = {{"tokens", in.numTokens}, {"seqs", in.numSeqs}, {"blocks_per_seq", in.blocksPerSeq}};
  for (int32_t length : in.contextLens)
    profile.contextTokens += length;
  rt::PackageExecutor &executor = *parts_.executor;
  const rt::Stream &stream = *parts_.stream;
  LOOM_ASSIGN_OR_RETURN(double wallMs, medianMilliseconds(*parts_.context, stream, [&] {
    return executor.run(profile.dims, stream);
  }));
  profile.wallMicroseconds = 1e3 * wallMs;

  std::vector<std::vector<rt::TimedLaunch>> runs;
  for (int i = 0; i < kTimedRuns; ++i) {
    timer_.reset();
    LOOM_RETURN_IF_ERROR(executor.run(profile.dims, stream, &timer_));
    LOOM_ASSIGN_OR_RETURN(std::vector<rt::TimedLaunch> launches, timer_.finish());
    runs.push_back(std::move(launches));
  }
  profile.launches = runs.front();
  for (size_t l = 0; l < profile.launches.size(); ++l) {
    std::vector<double> times, gaps;
    for (const auto &run : runs) {
      times.push_back(run[l].microseconds);
      gaps.push_back(run[l].gapMicroseconds);
    }
    profile.launches[l].microseconds = median(times);
    profile.launches[l].gapMicroseconds = median(gaps);
  }
  return profile;
}

StatusOr<std::vector<StepProfile>> profileSteps(const GpuModelParts &parts,
                                                const rt::EngineConfig &engineConfig,
                                                const std::vector<std::vector<rt::TokenId>> &prompts,
                                                rt::SamplingParams params) {
  LOOM_ASSIGN_OR_RETURN(std::unique_ptr<ProfilingRunner> runner, ProfilingRunner::create(parts));
  LOOM_ASSIGN_OR_RETURN(auto engine, rt::Engine::create(engineConfig, *runner));
  // Long enough that the sequences prefilled first still run when the last prompt's chunk is
  // done: then one decode-only step holds them all.
  int64_t promptTokens = 0;
  for (const auto &prompt : prompts)
    promptTokens += static_cast<int64_t>(prompt.size());
  params.maxTokens =
      static_cast<int>((promptTokens + engineConfig.maxBatchedTokens - 1) / engineConfig.maxBatchedTokens) + 2;
  params.ignoreEos = true;
  for (const auto &prompt : prompts) {
    auto sequence = engine->addRequest(prompt, params);
    if (!sequence->error().isOk())
      return sequence->error().withContext("profile request");
  }
  while (engine->hasUnfinished())
    LOOM_RETURN_IF_ERROR(engine->step().status());
  return runner->profiles();
}

} // namespace loom::tools

// StepProfiler: one prefill step and one decode step of a compiled model timed kernel by kernel
// (loom-run bench --profile).
#pragma once

#include "runtime/Engine/EngineConfig.h"
#include "runtime/Engine/ModelRunner.h"
#include "runtime/Engine/SamplingParams.h"
#include "runtime/Serving/PackageModelRunner.h"
#include "tools/loom-run/GpuModelParts.h"

#include <memory>
#include <string>
#include <vector>

namespace loom::tools {

/// One profiled step.
struct StepProfile {
  std::string kind; ///< "prefill" (some sequence computes several tokens) or "decode"
  rt::DimValues dims;
  int64_t contextTokens = 0;    ///< cached tokens of all the step's sequences after it
  double wallMicroseconds = 0;  ///< the eager program without a timer, median of 5
  std::vector<rt::TimedLaunch> launches; ///< per launch, the median of 3 timed runs
};

/// How it works: an engine ModelRunner that runs every step eagerly (a PackageModelRunner
/// without decode graphs); after the first prefill step and the decode-only step with the most
/// sequences it runs
/// the same program again on the same inputs (rewriting the same KV slots, so the results do
/// not change) — timed whole, then launch by launch with a LaunchTimer.
class ProfilingRunner final : public rt::ModelRunner {
public:
  static StatusOr<std::unique_ptr<ProfilingRunner>> create(const GpuModelParts &parts);

  StatusOr<std::vector<rt::TokenId>> run(const rt::ScheduledBatch &batch) override;

  const std::vector<StepProfile> &profiles() const { return profiles_; }

private:
  ProfilingRunner(const GpuModelParts &parts, std::unique_ptr<rt::PackageModelRunner> eager)
      : parts_(parts), eager_(std::move(eager)), timer_(*parts.context) {}
  StatusOr<StepProfile> profile(const rt::ScheduledBatch &batch, std::string kind);

  GpuModelParts parts_;
  std::unique_ptr<rt::PackageModelRunner> eager_;
  rt::LaunchTimer timer_;
  std::vector<StepProfile> profiles_;
};

/// Serves `prompts` through a fresh engine over a ProfilingRunner for as many output tokens as
/// there are prefill steps, plus two (the KV pool must be free: run it after the benchmark's
/// engine has finished) and returns the profiles of the first prefill step and of the
/// decode-only step of all the prompts.
StatusOr<std::vector<StepProfile>> profileSteps(const GpuModelParts &parts,
                                                const rt::EngineConfig &engine,
                                                const std::vector<std::vector<rt::TokenId>> &prompts,
                                                rt::SamplingParams params);

} // namespace loom::tools

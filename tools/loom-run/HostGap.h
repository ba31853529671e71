// HostGap: where the wall time of each engine step goes (loom-run bench --host-timing) — the
// bench loop, the engine's parts, the runner's host phases, the GPU's spans and its idle time
// between steps — summarized per decode batch size.
#pragma once

#include "runtime/Engine/EngineStats.h"
#include "runtime/Serving/StepTimer.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace loom::tools {

/// One engine step as the bench saw it.
struct StepSample {
  int sampled = 0;          ///< tokens the step produced (= sequences of a decode step)
  bool decodeGraph = false; ///< replayed a decode CUDA graph
  double wallMicros = 0;    ///< this step's start to the next step's start, in the bench loop
  rt::EngineStepTiming engine;
  rt::StepTiming runner;
};

/// The median, 10th and 90th percentile of one quantity over a group of steps.
struct Spread {
  double p10 = 0, median = 0, p90 = 0;
};

/// Decode-graph steps of one batch size.
struct HostGapGroup {
  int sampled = 0;
  int steps = 0;
  /// (name, spread) in table order: wall, bench loop, engine parts, runner phases, GPU spans,
  /// GPU idle before the step, and overhead = wall − forward program.
  std::vector<std::pair<std::string, Spread>> rows;
};

/// Groups the decode-graph steps of `samples` by batch size (groups of fewer than
/// `minSteps` steps are left out; steps without a GPU idle time — the first timed one — too).
std::vector<HostGapGroup> summarizeHostGap(const std::vector<StepSample> &samples, int minSteps = 8);

std::string hostGapTable(const std::vector<HostGapGroup> &groups);
nlohmann::json hostGapJson(const std::vector<HostGapGroup> &groups);

} // namespace loom::tools

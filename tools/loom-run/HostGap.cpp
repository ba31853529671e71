// HostGap: per-step samples grouped by batch size, as percentiles.
#include "tools/loom-run/HostGap.h"

#include "tools/loom-run/BenchReport.h" // percentile: interpolated, as the latency summary

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <map>

namespace loom::tools {

namespace {

using Quantity = std::function<double(const StepSample &)>;

double runnerHost(const StepSample &s, rt::RunnerPhase phase) {
  return s.runner.hostMicros[static_cast<size_t>(phase)];
}

double engineMicros(const StepSample &s) {
  return s.engine.scheduleMicros + s.engine.runMicros + s.engine.postprocessMicros +
         s.engine.publishMicros;
}

/// The table's rows: what each one reads from a step.
const std::vector<std::pair<std::string, Quantity>> &quantities() {
  static const std::vector<std::pair<std::string, Quantity>> table = {
      {"wall (step start to next)", [](const StepSample &s) { return s.wallMicros; }},
      {"bench loop outside step", [](const StepSample &s) { return s.wallMicros - engineMicros(s); }},
      {"engine schedule", [](const StepSample &s) { return s.engine.scheduleMicros; }},
      {"runner build inputs",
       [](const StepSample &s) { return runnerHost(s, rt::RunnerPhase::kBuildInputs); }},
      {"runner upload calls",
       [](const StepSample &s) { return runnerHost(s, rt::RunnerPhase::kUpload); }},
      {"runner launch call",
       [](const StepSample &s) { return runnerHost(s, rt::RunnerPhase::kLaunch); }},
      {"runner sample calls",
       [](const StepSample &s) { return runnerHost(s, rt::RunnerPhase::kSample); }},
      {"runner wait", [](const StepSample &s) { return runnerHost(s, rt::RunnerPhase::kWait); }},
      {"runner other", [](const StepSample &s) {
         return s.engine.runMicros - s.runner.hostMicrosTotal();
       }},
      {"engine postprocess", [](const StepSample &s) { return s.engine.postprocessMicros; }},
      {"engine publish", [](const StepSample &s) { return s.engine.publishMicros; }},
      {"GPU uploads", [](const StepSample &s) { return s.runner.gpuUploadMicros; }},
      {"GPU forward", [](const StepSample &s) { return s.runner.gpuForwardMicros; }},
      {"GPU sample + readback", [](const StepSample &s) { return s.runner.gpuSampleMicros; }},
      {"GPU idle before step",
       [](const StepSample &s) { return s.runner.gpuIdleBeforeMicros.value_or(0); }},
      {"overhead (wall - forward)",
       [](const StepSample &s) { return s.wallMicros - s.runner.gpuForwardMicros; }},
  };
  return table;
}

} // namespace

std::vector<HostGapGroup> summarizeHostGap(const std::vector<StepSample> &samples, int minSteps) {
  std::map<int, std::vector<const StepSample *>> bySize;
  for (const StepSample &s : samples)
    if (s.decodeGraph && s.runner.gpuIdleBeforeMicros)
      bySize[s.sampled].push_back(&s);
  std::vector<HostGapGroup> groups;
  for (const auto &[sampled, steps] : bySize) {
    if (static_cast<int>(steps.size()) < minSteps)
      continue;
    HostGapGroup group{sampled, static_cast<int>(steps.size()), {}};
    for (const auto &[name, read] : quantities()) {
      std::vector<double> values;
      for (const StepSample *s : steps)
        values.push_back(read(*s));
      std::sort(values.begin(), values.end());
      group.rows.emplace_back(
          name, Spread{percentile(values, 0.1), percentile(values, 0.5), percentile(values, 0.9)});
    }
    groups.push_back(std::move(group));
  }
  return groups;
}

std::string hostGapTable(const std::vector<HostGapGroup> &groups) {
  std::string text;
  for (const HostGapGroup &group : groups) {
    text += fmt::format("\nhost timing, decode graph steps of {} sequences ({} steps)\n",
                        group.sampled, group.steps);
    text += fmt::format("{:<30}{:>10}{:>10}{:>10}\n", "microseconds", "p10", "median", "p90");
    for (const auto &[name, spread] : group.rows)
      text += fmt::format("{:<30}{:>10.1f}{:>10.1f}{:>10.1f}\n", name, spread.p10, spread.median,
                          spread.p90);
  }
  return text;
}

nlohmann::json hostGapJson(const std::vector<HostGapGroup> &groups) {
  nlohmann::json json = nlohmann::json::array();
  for (const HostGapGroup &group : groups) {
    nlohmann::json rows = nlohmann::json::object();
    for (const auto &[name, spread] : group.rows)
      rows[name] = {{"p10", spread.p10}, {"median", spread.median}, {"p90", spread.p90}};
    json.push_back({{"sequences", group.sampled}, {"steps", group.steps}, {"micros", rows}});
  }
  return json;
}

} // namespace loom::tools

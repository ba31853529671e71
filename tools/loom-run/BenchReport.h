// BenchReport: latency percentiles and throughput of a bench run, as a table and as JSON.
#pragma once

#include "runtime/Engine/EngineStats.h"
#include "runtime/Engine/RequestMetrics.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <string>
#include <vector>

namespace loom::tools {

/// The `q`-quantile (0..1) of non-empty ascending `sorted`: linear interpolation between
/// order statistics, as numpy's default. Shared by the latency summary and HostGap's table.
inline double percentile(const std::vector<double> &sorted, double q) {
  const double rank = q * static_cast<double>(sorted.size() - 1);
  const size_t below = static_cast<size_t>(rank);
  const size_t above = std::min(below + 1, sorted.size() - 1);
  return sorted[below] + (rank - static_cast<double>(below)) * (sorted[above] - sorted[below]);
}

/// Mean and percentiles (percentile() above) in seconds.
struct LatencySummary {
  double mean = 0, p50 = 0, p90 = 0, p99 = 0, max = 0;
  size_t count = 0;
};
LatencySummary summarize(std::vector<double> values);

struct BenchReport {
  nlohmann::json workload;  ///< the command's parameters
  nlohmann::json backend;   ///< ServingModel::backendStats
  double seconds = 0;       ///< wall time from the first request to the last token
  int64_t promptTokens = 0, outputTokens = 0;
  int completed = 0, failed = 0;
  LatencySummary ttft, itl, e2e;
  rt::EngineStats engine;

  /// Collects the metrics of finished requests.
  static BenchReport from(const std::vector<rt::RequestMetrics> &requests, double seconds,
                          const rt::EngineStats &engine);
  std::string table() const;
  nlohmann::json json() const;
};

} // namespace loom::tools

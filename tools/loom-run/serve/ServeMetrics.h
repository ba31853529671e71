// ServeMetrics: the server's counters, latency histograms and engine gauges, rendered in the
// Prometheus text format for GET /metrics.
#pragma once

#include "runtime/Engine/EngineStats.h"
#include "runtime/Engine/RequestMetrics.h"
#include "tools/loom-run/serve/Histogram.h"

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

namespace loom::serve {

/// Thread-safe: HTTP handlers count requests, the engine thread records finished requests and
/// engine snapshots, /metrics and /health read them.
class ServeMetrics {
public:
  ServeMetrics();

  /// One answered HTTP request on `route` with `status`.
  void countHttpRequest(std::string_view route, int status);
  /// A finished generation request: its latencies, tokens and `finishReason` label
  /// ("stop", "length", "cancelled" or "error").
  void recordFinished(const rt::RequestMetrics &metrics, std::string_view finishReason);
  /// The engine's state after a step.
  void setEngineStats(const rt::EngineStats &stats);
  rt::EngineStats engineStats() const;

  /// Every metric as Prometheus text (version 0.0.4).
  std::string renderPrometheus() const;

private:
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, int>, uint64_t> httpRequests_;
  std::map<std::string, uint64_t> finishedRequests_;
  uint64_t promptTokens_ = 0, generationTokens_ = 0;
  Histogram timeToFirstToken_, interTokenLatency_, endToEndLatency_;
  rt::EngineStats engine_;
};

} // namespace loom::serve

// Per-request serving metrics: arrival, first token (TTFT), inter-token latencies, token counts.
#pragma once

#include <optional>
#include <vector>

namespace loom::rt {

/// Times are seconds on the engine's clock (EngineClock). Filled by the engine as the
/// request's tokens arrive; read them from the request's Sequence.
struct RequestMetrics {
  double arrivalTime = 0;
  std::optional<double> firstTokenTime;
  std::optional<double> finishTime;
  /// Gaps between consecutive generated tokens (one fewer than the output tokens).
  std::vector<double> interTokenLatencies;
  int numPromptTokens = 0;
  int numOutputTokens = 0;
  /// Prompt tokens whose KV came from the prefix cache, summed over admissions (a preempted
  /// request is admitted again and may hit its own earlier blocks).
  int prefixHitTokens = 0;

  /// Seconds from arrival to the first generated token.
  std::optional<double> timeToFirstToken() const;
  /// Seconds from arrival to the finish.
  std::optional<double> endToEndLatency() const;
  /// Records a generated token at `now`.
  void recordToken(double now);

private:
  double lastTokenTime_ = 0;
};

} // namespace loom::rt

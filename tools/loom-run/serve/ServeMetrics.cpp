// ServeMetrics: recording and the Prometheus exposition.
#include "tools/loom-run/serve/ServeMetrics.h"

#include <fmt/format.h>

namespace loom::serve {

namespace {

const std::vector<double> kLatencyBounds = {0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                            0.5,   1.0,   2.5,  5.0,   10,   30,  60};
const std::vector<double> kInterTokenBounds = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                               0.05,   0.1,   0.25,   0.5,   1.0,  2.5};

std::string header(std::string_view name, std::string_view type, std::string_view help) {
  return fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

/// One gauge or counter without labels.
struct Scalar {
  std::string_view name, type, help;
  double (*value)(const rt::EngineStats &);
};

// clang-format off
constexpr Scalar kEngineScalars[] = {
    {"loom_requests_running", "gauge", "Requests being computed by the engine.",
     [](const rt::EngineStats &s) { return double(s.running); }},
    {"loom_requests_waiting", "gauge", "Requests queued for admission (or preempted).",
     [](const rt::EngineStats &s) { return double(s.waiting); }},
    {"loom_kv_blocks_total", "gauge", "KV cache blocks in the pool.",
     [](const rt::EngineStats &s) { return double(s.kvBlocksTotal); }},
    {"loom_kv_blocks_used", "gauge", "KV cache blocks referenced by unfinished requests.",
     [](const rt::EngineStats &s) { return double(s.kvBlocksUsed); }},
    {"loom_kv_cache_usage_ratio", "gauge", "Used over total KV cache blocks.",
     [](const rt::EngineStats &s) { return s.kvUsage(); }},
    {"loom_kv_blocks_used_peak", "gauge", "The most KV cache blocks used at once.",
     [](const rt::EngineStats &s) { return double(s.peakKvBlocksUsed); }},
    {"loom_prefix_cache_hit_tokens_total", "counter", "Prompt tokens served from the prefix cache.",
     [](const rt::EngineStats &s) { return double(s.prefixHitTokens); }},
    {"loom_prefix_cache_miss_tokens_total", "counter", "Prompt tokens computed at admission.",
     [](const rt::EngineStats &s) { return double(s.prefixMissTokens); }},
    {"loom_prefix_cache_hit_rate", "gauge", "Prefix-cache hit tokens over hit and miss tokens.",
     [](const rt::EngineStats &s) { return s.prefixHitRate(); }},
    {"loom_preemptions_total", "counter", "Sequences preempted for lack of KV blocks.",
     [](const rt::EngineStats &s) { return double(s.preemptions); }},
    {"loom_engine_steps_total", "counter", "Engine steps (forward passes) run.",
     [](const rt::EngineStats &s) { return double(s.steps); }},
};
// clang-format on

} // namespace

ServeMetrics::ServeMetrics()
    : timeToFirstToken_(kLatencyBounds), interTokenLatency_(kInterTokenBounds),
      endToEndLatency_(kLatencyBounds) {}

void ServeMetrics::countHttpRequest(std::string_view route, int status) {
  std::lock_guard lock(mutex_);
  ++httpRequests_[{std::string(route), status}];
}

void ServeMetrics::recordFinished(const rt::RequestMetrics &metrics,
                                  std::string_view finishReason) {
  std::lock_guard lock(mutex_);
  ++finishedRequests_[std::string(finishReason)];
  promptTokens_ += metrics.numPromptTokens;
  generationTokens_ += metrics.numOutputTokens;
  if (auto ttft = metrics.timeToFirstToken())
    timeToFirstToken_.observe(*ttft);
  for (double gap : metrics.interTokenLatencies)
    interTokenLatency_.observe(gap);
  if (auto latency = metrics.endToEndLatency())
    endToEndLatency_.observe(*latency);
}

void ServeMetrics::setEngineStats(const rt::EngineStats &stats) {
  std::lock_guard lock(mutex_);
  engine_ = stats;
}

rt::EngineStats ServeMetrics::engineStats() const {
  std::lock_guard lock(mutex_);
  return engine_;
}

std::string ServeMetrics::renderPrometheus() const {
  std::lock_guard lock(mutex_);
  std::string text = header("loom_http_requests_total", "counter",
                            "HTTP requests answered, by route and status code.");
  for (const auto &[key, count] : httpRequests_)
    text += fmt::format("loom_http_requests_total{{route=\"{}\",code=\"{}\"}} {}\n", key.first,
                        key.second, count);
  text += header("loom_requests_finished_total", "counter",
                 "Generation requests finished, by finish reason.");
  for (std::string_view reason : {"stop", "length", "cancelled", "error"}) {
    auto it = finishedRequests_.find(std::string(reason));
    text += fmt::format("loom_requests_finished_total{{finish_reason=\"{}\"}} {}\n", reason,
                        it == finishedRequests_.end() ? 0 : it->second);
  }
  text += header("loom_prompt_tokens_total", "counter", "Prompt tokens of finished requests.");
  text += fmt::format("loom_prompt_tokens_total {}\n", promptTokens_);
  text += header("loom_generation_tokens_total", "counter",
                 "Generated tokens of finished requests.");
  text += fmt::format("loom_generation_tokens_total {}\n", generationTokens_);
  text += header("loom_time_to_first_token_seconds", "histogram",
                 "Seconds from arrival to the first generated token.");
  text += timeToFirstToken_.render("loom_time_to_first_token_seconds");
  text += header("loom_inter_token_latency_seconds", "histogram",
                 "Seconds between consecutive generated tokens of a request.");
  text += interTokenLatency_.render("loom_inter_token_latency_seconds");
  text += header("loom_e2e_request_latency_seconds", "histogram",
                 "Seconds from arrival to finish.");
  text += endToEndLatency_.render("loom_e2e_request_latency_seconds");
  for (const Scalar &scalar : kEngineScalars)
    text += header(scalar.name, scalar.type, scalar.help) +
            fmt::format("{} {}\n", scalar.name, scalar.value(engine_));
  return text;
}

} // namespace loom::serve

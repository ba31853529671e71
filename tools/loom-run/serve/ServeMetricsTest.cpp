// ServeMetrics and Histogram: exact Prometheus lines for known observations.
#include "tools/loom-run/serve/ServeMetrics.h"

#include <gtest/gtest.h>

namespace loom::serve {
namespace {

bool hasLine(const std::string &text, const std::string &line) {
  return text.find("\n" + line + "\n") != std::string::npos || text.rfind(line + "\n", 0) == 0;
}

TEST(Histogram, CumulativeBuckets) {
  Histogram histogram({0.1, 1.0});
  for (double value : {0.05, 0.1, 0.5, 3.0})
    histogram.observe(value);
  EXPECT_EQ(histogram.render("h"), "h_bucket{le=\"0.1\"} 2\nh_bucket{le=\"1\"} 3\n"
                                   "h_bucket{le=\"+Inf\"} 4\nh_sum 3.65\nh_count 4\n");
}

TEST(ServeMetrics, RendersRequestsTokensLatenciesAndEngine) {
  ServeMetrics metrics;
  metrics.countHttpRequest("/v1/completions", 200);
  metrics.countHttpRequest("/v1/completions", 200);
  metrics.countHttpRequest("/v1/completions", 400);
  rt::RequestMetrics request;
  request.arrivalTime = 10.0;
  request.recordToken(10.25);
  request.recordToken(10.5);
  request.recordToken(10.75);
  request.finishTime = 11.0;
  request.numPromptTokens = 5;
  metrics.recordFinished(request, "length");
  rt::EngineStats engine;
  engine.kvBlocksTotal = 64;
  engine.kvBlocksUsed = 16;
  engine.prefixHitTokens = 30;
  engine.prefixMissTokens = 10;
  metrics.setEngineStats(engine);

  std::string text = metrics.renderPrometheus();
  EXPECT_TRUE(hasLine(text, "loom_http_requests_total{route=\"/v1/completions\",code=\"200\"} 2"));
  EXPECT_TRUE(hasLine(text, "loom_http_requests_total{route=\"/v1/completions\",code=\"400\"} 1"));
  EXPECT_TRUE(hasLine(text, "loom_requests_finished_total{finish_reason=\"length\"} 1"));
  EXPECT_TRUE(hasLine(text, "loom_requests_finished_total{finish_reason=\"cancelled\"} 0"));
  EXPECT_TRUE(hasLine(text, "loom_prompt_tokens_total 5"));
  EXPECT_TRUE(hasLine(text, "loom_generation_tokens_total 3"));
  EXPECT_TRUE(hasLine(text, "loom_time_to_first_token_seconds_bucket{le=\"0.25\"} 1"));
  EXPECT_TRUE(hasLine(text, "loom_time_to_first_token_seconds_bucket{le=\"0.1\"} 0"));
  EXPECT_TRUE(hasLine(text, "loom_inter_token_latency_seconds_count 2"));
  EXPECT_TRUE(hasLine(text, "loom_inter_token_latency_seconds_sum 0.5"));
  EXPECT_TRUE(hasLine(text, "loom_e2e_request_latency_seconds_sum 1"));
  EXPECT_TRUE(hasLine(text, "loom_kv_blocks_used 16"));
  EXPECT_TRUE(hasLine(text, "loom_kv_cache_usage_ratio 0.25"));
  EXPECT_TRUE(hasLine(text, "loom_prefix_cache_hit_rate 0.75"));
  EXPECT_TRUE(hasLine(text, "# TYPE loom_time_to_first_token_seconds histogram"));
}

} // namespace
} // namespace loom::serve

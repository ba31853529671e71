// BenchReport: summarizing request metrics.
#include "tools/loom-run/BenchReport.h"

#include <fmt/format.h>

#include <algorithm>
#include <numeric>

namespace loom::tools {

namespace {
nlohmann::json toJson(const LatencySummary &s) {
  return {{"mean_ms", s.mean * 1e3}, {"p50_ms", s.p50 * 1e3}, {"p90_ms", s.p90 * 1e3},
          {"p99_ms", s.p99 * 1e3},   {"max_ms", s.max * 1e3},  {"count", s.count}};
}

std::string row(const char *name, const LatencySummary &s) {
  return fmt::format("{:<24}{:>10.2f}{:>10.2f}{:>10.2f}{:>10.2f}{:>10.2f}\n", name, s.mean * 1e3,
                     s.p50 * 1e3, s.p90 * 1e3, s.p99 * 1e3, s.max * 1e3);
}
} // namespace

LatencySummary summarize(std::vector<double> values) {
  LatencySummary s;
  s.count = values.size();
  if (values.empty())
    return s;
  std::sort(values.begin(), values.end());
  s.mean = std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
  s.p50 = percentile(values, 0.50);
  s.p90 = percentile(values, 0.90);
  s.p99 = percentile(values, 0.99);
  s.max = values.back();
  return s;
}

BenchReport BenchReport::from(const std::vector<rt::RequestMetrics> &requests, double seconds,
                              const rt::EngineStats &engine) {
  BenchReport report;
  report.seconds = seconds;
  report.engine = engine;
  std::vector<double> ttft, itl, e2e;
  for (const rt::RequestMetrics &m : requests) {
    report.promptTokens += m.numPromptTokens;
    report.outputTokens += m.numOutputTokens;
    if (!m.firstTokenTime) {
      ++report.failed;
      continue;
    }
    ++report.completed;
    ttft.push_back(*m.timeToFirstToken());
    if (m.endToEndLatency())
      e2e.push_back(*m.endToEndLatency());
    itl.insert(itl.end(), m.interTokenLatencies.begin(), m.interTokenLatencies.end());
  }
  report.ttft = summarize(ttft);
  report.itl = summarize(itl);
  report.e2e = summarize(e2e);
  return report;
}

std::string BenchReport::table() const {
  double s = std::max(seconds, 1e-9);
  std::string text;
  text += fmt::format("{:<32}{}\n", "requests completed", completed);
  if (failed > 0)
    text += fmt::format("{:<32}{}\n", "requests failed", failed);
  text += fmt::format("{:<32}{:.3f}\n", "duration (s)", seconds);
  text += fmt::format("{:<32}{:.2f}\n", "request throughput (req/s)", completed / s);
  text += fmt::format("{:<32}{:.1f}\n", "output throughput (tok/s)", outputTokens / s);
  text += fmt::format("{:<32}{:.1f}\n", "total throughput (tok/s)",
                      (promptTokens + outputTokens) / s);
  text += fmt::format("{:<32}{} / {} ({:.1f}%)\n", "peak KV blocks used", engine.peakKvBlocksUsed,
                      engine.kvBlocksTotal, 100.0 * engine.peakKvUsage());
  text += fmt::format("{:<32}{:.1f}% ({} of {} prompt tokens)\n", "prefix-cache hit rate",
                      100.0 * engine.prefixHitRate(), engine.prefixHitTokens,
                      engine.prefixHitTokens + engine.prefixMissTokens);
  text += fmt::format("{:<32}{}\n", "preemptions", engine.preemptions);
  text += fmt::format("{:<32}{}\n\n", "engine steps", engine.steps);
  text += fmt::format("{:<24}{:>10}{:>10}{:>10}{:>10}{:>10}\n", "latency (ms)", "mean", "p50",
                      "p90", "p99", "max");
  text += row("time to first token", ttft);
  text += row("inter-token latency", itl);
  text += row("end-to-end latency", e2e);
  return text;
}

nlohmann::json BenchReport::json() const {
  double s = std::max(seconds, 1e-9);
  return {{"workload", workload},
          {"backend", backend},
          {"completed", completed},
          {"failed", failed},
          {"duration_s", seconds},
          {"request_throughput", completed / s},
          {"output_throughput_tok_s", outputTokens / s},
          {"total_throughput_tok_s", (promptTokens + outputTokens) / s},
          {"prompt_tokens", promptTokens},
          {"output_tokens", outputTokens},
          {"ttft", toJson(ttft)},
          {"itl", toJson(itl)},
          {"e2e", toJson(e2e)},
          {"kv_blocks_total", engine.kvBlocksTotal},
          {"kv_blocks_peak", engine.peakKvBlocksUsed},
          {"kv_peak_usage", engine.peakKvUsage()},
          {"prefix_hit_rate", engine.prefixHitRate()},
          {"prefix_hit_tokens", engine.prefixHitTokens},
          {"preemptions", engine.preemptions},
          {"steps", engine.steps}};
}

} // namespace loom::tools

// Table and JSON output of loom-bench.
#include "tools/loom-bench/Report.h"

#include "runtime/Support/Files.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace loom::bench {
namespace {

/// Rates derived from one result; zero where the result has no flops, bytes or baseline.
struct Rates {
  double tflops = 0, tbps = 0, percentOfCopy = 0, speedup = 0;
};

Rates ratesOf(const BenchResult &result, double copyBytesPerSecond) {
  Rates rates;
  double seconds = result.milliseconds * 1e-3;
  if (seconds <= 0)
    return rates;
  rates.tflops = result.flops / seconds * 1e-12;
  rates.tbps = result.bytes / seconds * 1e-12;
  if (copyBytesPerSecond > 0)
    rates.percentOfCopy = 100.0 * result.bytes / seconds / copyBytesPerSecond;
  if (result.baselineMilliseconds > 0)
    rates.speedup = result.baselineMilliseconds / result.milliseconds;
  return rates;
}

std::string orDash(double value, const char *format) {
  return value > 0 ? fmt::format(fmt::runtime(format), value) : std::string("-");
}

} // namespace

void printTable(std::FILE *out, const BenchSession &session) {
  const rt::DeviceInfo &device = session.context().info();
  fmt::print(out, "device: {} ({} SMs, L2 {} MB), target {}\n", device.name,
             device.multiprocessors, device.l2CacheBytes >> 20, rt::gpuArchName(session.arch()));
  fmt::print(out, "copy roofline: {:.3f} TB/s; baseline library: {}\n",
             session.copyBytesPerSecond() * 1e-12, session.cublasStatus());
  fmt::print(out, "{:<34} {:<28} {:>9} {:>8} {:>6} {:>6} {:>14} {:>9} {:>6}  {}\n", "case",
             "shape", "ms", "TFLOP/s", "TB/s", "%copy", "baseline", "base ms", "x base",
             "note");
  for (const BenchResult &result : session.results()) {
    Rates rates = ratesOf(result, session.copyBytesPerSecond());
    fmt::print(out, "{:<34} {:<28} {:>9.4f} {:>8} {:>6} {:>6} {:>14} {:>9} {:>6}  {}\n",
               result.family + "/" + result.name, result.shape, result.milliseconds,
               orDash(rates.tflops, "{:.1f}"), orDash(rates.tbps, "{:.3f}"),
               orDash(rates.percentOfCopy, "{:.1f}"),
               result.baseline.empty() ? "-" : result.baseline,
               orDash(result.baselineMilliseconds, "{:.4f}"), orDash(rates.speedup, "{:.2f}"),
               result.note);
  }
}

Status writeJson(const std::string &path, const BenchSession &session) {
  const rt::DeviceInfo &device = session.context().info();
  nlohmann::json results = nlohmann::json::array();
  for (const BenchResult &result : session.results()) {
    Rates rates = ratesOf(result, session.copyBytesPerSecond());
    results.push_back({{"family", result.family},
                       {"name", result.name},
                       {"shape", result.shape},
                       {"ms", result.milliseconds},
                       {"flops", result.flops},
                       {"bytes", result.bytes},
                       {"tflops", rates.tflops},
                       {"tbps", rates.tbps},
                       {"percent_of_copy", rates.percentOfCopy},
                       {"baseline", result.baseline},
                       {"baseline_ms", result.baselineMilliseconds},
                       {"speedup_vs_baseline", rates.speedup},
                       {"note", result.note}});
  }
  nlohmann::json document = {{"device", device.name},
                             {"multiprocessors", device.multiprocessors},
                             {"arch", std::string(rt::gpuArchName(session.arch()))},
                             {"copy_tbps", session.copyBytesPerSecond() * 1e-12},
                             {"cublas", session.cublasStatus()},
                             {"warmup", session.options().warmup},
                             {"repeats", session.options().repeats},
                             {"results", results}};
  return writeFileAtomic(path, document.dump(2) + "\n");
}

} // namespace loom::bench

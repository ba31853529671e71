// ProfileReport: grouping launches by kernel body, percentages of the step and of the roofline.
#include "tools/loom-run/ProfileReport.h"

#include "runtime/CUDA/KernelCompiler.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace loom::tools {

namespace {

/// The source with the kernel's own name taken out: equal for the layers' copies of a kernel.
std::string bodyKey(const std::string &name, const std::map<std::string, std::string> &sources) {
  auto source = sources.find(name);
  if (source == sources.end())
    return name;
  std::optional<rt::CompileRequest> shared = rt::sharedKernelRequest({name, source->second});
  return shared ? shared->source : name;
}

/// Percent of the copy roofline: bytes over time against the measured bandwidth.
double rooflinePercent(uint64_t bytes, double microseconds, double copyBytesPerSecond) {
  if (microseconds <= 0 || copyBytesPerSecond <= 0)
    return 0;
  return 100.0 * static_cast<double>(bytes) / (microseconds * 1e-6) / copyBytesPerSecond;
}

std::string dimsText(const rt::DimValues &dims) {
  std::string text;
  for (const auto &[name, value] : dims)
    text += fmt::format("{}{}={}", text.empty() ? "" : " ", name, value);
  return text;
}

} // namespace

StatusOr<ProfileSummary> summarizeProfile(StepProfile step, const rt::Manifest &manifest,
                                          const std::map<std::string, std::string> &sources,
                                          const KernelTraffic &traffic) {
  ProfileSummary summary;
  std::map<std::string, size_t> rowOfBody;
  std::map<std::string, std::set<size_t>> kernelsOfBody;
  for (const rt::TimedLaunch &launch : step.launches) {
    const std::string &name = manifest.kernels.at(launch.kernelIndex).name;
    std::string body = bodyKey(name, sources);
    auto [row, added] = rowOfBody.emplace(body, summary.rows.size());
    if (added)
      summary.rows.push_back({name});
    KernelProfileRow &entry = summary.rows[row->second];
    kernelsOfBody[body].insert(launch.kernelIndex);
    entry.kernels = static_cast<int>(kernelsOfBody[body].size());
    ++entry.launches;
    entry.microseconds += launch.microseconds;
    LOOM_ASSIGN_OR_RETURN(LaunchBytes bytes,
                          traffic.launchBytes(launch.kernelIndex, step.dims, step.contextTokens));
    entry.bytes.weights += bytes.weights;
    entry.bytes.kv += bytes.kv;
    entry.bytes.activations += bytes.activations;
    summary.kernelMicroseconds += launch.microseconds;
  }
  std::stable_sort(summary.rows.begin(), summary.rows.end(),
                   [](const KernelProfileRow &a, const KernelProfileRow &b) {
                     return a.microseconds > b.microseconds;
                   });
  summary.gapMicroseconds = step.wallMicroseconds - summary.kernelMicroseconds;
  summary.step = std::move(step);
  return summary;
}

std::string profileTable(const ProfileSummary &s, double copyBytesPerSecond) {
  double step = std::max(s.step.wallMicroseconds, 1e-9);
  std::string text = fmt::format(
      "{} step ({}, {} context tokens): {:.1f} us eager wall, {:.1f} us in {} kernels, {:.1f} us "
      "({:.1f}%) launch gaps\n",
      s.step.kind, dimsText(s.step.dims), s.step.contextTokens, s.step.wallMicroseconds,
      s.kernelMicroseconds, s.step.launches.size(), s.gapMicroseconds,
      100.0 * s.gapMicroseconds / step);
  text += fmt::format("{:<44}{:>9}{:>11}{:>9}{:>8}{:>11}{:>9}{:>9}\n", "kernel (x copies)", "launches",
                      "total us", "mean us", "% step", "MB moved", "GB/s", "% copy");
  for (const KernelProfileRow &row : s.rows) {
    uint64_t bytes = row.bytes.total();
    std::string name = row.kernels > 1 ? fmt::format("{} (x{})", row.kernel, row.kernels) : row.kernel;
    text += fmt::format("{:<44}{:>9}{:>11.1f}{:>9.2f}{:>8.1f}{:>11.2f}{:>9.0f}{:>9.1f}\n", name,
                        row.launches, row.microseconds, row.microseconds / row.launches,
                        100.0 * row.microseconds / step, bytes / 1e6,
                        bytes / std::max(row.microseconds, 1e-9) / 1e3,
                        rooflinePercent(bytes, row.microseconds, copyBytesPerSecond));
  }
  return text;
}

nlohmann::json profileJson(const ProfileSummary &s, double copyBytesPerSecond) {
  nlohmann::json rows = nlohmann::json::array();
  double step = std::max(s.step.wallMicroseconds, 1e-9);
  for (const KernelProfileRow &row : s.rows)
    rows.push_back({{"kernel", row.kernel},
                    {"kernels", row.kernels},
                    {"launches", row.launches},
                    {"total_us", row.microseconds},
                    {"percent_of_step", 100.0 * row.microseconds / step},
                    {"weight_bytes", row.bytes.weights},
                    {"kv_bytes", row.bytes.kv},
                    {"activation_bytes", row.bytes.activations},
                    {"percent_of_copy_roofline",
                     rooflinePercent(row.bytes.total(), row.microseconds, copyBytesPerSecond)}});
  return {{"kind", s.step.kind},
          {"dims", s.step.dims},
          {"context_tokens", s.step.contextTokens},
          {"wall_us", s.step.wallMicroseconds},
          {"kernel_us", s.kernelMicroseconds},
          {"launch_gap_us", s.gapMicroseconds},
          {"launches", s.step.launches.size()},
          {"kernels", rows}};
}

} // namespace loom::tools

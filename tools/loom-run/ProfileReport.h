// ProfileReport: a profiled step aggregated by kernel body (the layers' copies of one kernel
// together), as a table and as JSON.
#pragma once

#include "tools/loom-run/KernelTraffic.h"
#include "tools/loom-run/StepProfiler.h"

#include <nlohmann/json.hpp>

namespace loom::tools {

/// The launches of kernels whose sources differ only in their names (rt::sharedKernelRequest).
struct KernelProfileRow {
  std::string kernel; ///< the first such kernel's name
  int kernels = 0;    ///< distinct kernels with this body
  int launches = 0;
  double microseconds = 0; ///< summed over the launches
  LaunchBytes bytes;       ///< summed over the launches
};

struct ProfileSummary {
  StepProfile step;
  std::vector<KernelProfileRow> rows; ///< slowest first
  double kernelMicroseconds = 0;      ///< sum of the launches' times
  /// The step's wall time minus kernelMicroseconds: launch gaps and overheads (can be < 0 when
  /// the untimed program overlaps kernels more than the timed one).
  double gapMicroseconds = 0;
};

StatusOr<ProfileSummary> summarizeProfile(StepProfile step, const rt::Manifest &manifest,
                                          const std::map<std::string, std::string> &sources,
                                          const KernelTraffic &traffic);

/// `copyBytesPerSecond` turns bytes into "% of copy roofline" (0: column left out).
std::string profileTable(const ProfileSummary &summary, double copyBytesPerSecond);
nlohmann::json profileJson(const ProfileSummary &summary, double copyBytesPerSecond);

} // namespace loom::tools

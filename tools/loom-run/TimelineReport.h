// TimelineReport: one step's launches from the GPU timeline (rt::TimelineLaunch) named after the
// package's program, as a per-launch table, per-kind totals and a Chrome trace.
#pragma once

#include "runtime/CUDA/TimelineLaunches.h"

#include <nlohmann/json.hpp>
#include <string>

namespace loom::tools {

/// One launch the step's program makes, in program order.
struct TimelineProgramLaunch {
  uint32_t kernel = 0; ///< the timeline id its records carry (PackageExecutor::timelineIds)
  std::string name;
  uint64_t bytes = 0; ///< weights + KV + activations it moves (KernelTraffic), 0 if unknown
};

/// A recorded launch with its name and kind; times are ns after the report's origin.
struct TimelineRow {
  std::string kernel; ///< the program's name, or "kernel id N" when unmatched
  std::string kind;   ///< qkv, attention, o_proj, gate_up, down, lm_head or other
  rt::TimelineLaunch launch;
  uint64_t bytes = 0;
  int sms = 0;                                            ///< distinct SMs its CTAs ran on
  double start = 0, firstWait = 0, lastWait = 0, end = 0; ///< us after the origin
  double gap = 0;       ///< start minus the latest end before it (< 0: overlapped)
  double exclusive = 0; ///< end minus max(start, latest end before it): its share of the span
};

struct TimelineReport {
  std::vector<TimelineRow> rows; ///< by first entry
  uint64_t origin = 0;           ///< the first CTA's entry (ns)
  double span = 0;               ///< last exit minus origin (us)
  size_t programLaunches = 0;
  /// Every program launch recorded, complete, in program order and nothing else recorded.
  bool matchesProgram = false;
  /// Each launch got past its wait (or, where no CTA waited, started) only after the launch
  /// before it ended, as a stream guarantees.
  bool streamOrdered = true;
  size_t incomplete = 0;
  uint64_t dropped = 0;
};

/// Matches `launches` (by first entry) to `program` in order by timeline id.
TimelineReport buildTimelineReport(std::vector<rt::TimelineLaunch> launches,
                                   const std::vector<TimelineProgramLaunch> &program,
                                   uint64_t dropped);
/// The kind of a kernel from its name; `previous` is the kind of the launch before it (a
/// residual GEMV after attention is o_proj, otherwise down).
std::string timelineKind(const std::string &kernel, const std::string &previous);
/// Per launch and per kind; `copyBytesPerSecond` turns bytes and time into % of copy bandwidth.
std::string timelineTable(const TimelineReport &report, double copyBytesPerSecond);
/// Chrome trace (chrome://tracing, Perfetto): one row per SM with its CTAs, one row of launches;
/// "launches" at the top level carries the per-launch summary.
nlohmann::json timelineTrace(const TimelineReport &report);

} // namespace loom::tools

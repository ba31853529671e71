// TimelineLaunches: a step's timeline records (one per CTA) grouped back into launches.
#pragma once

#include "runtime/CUDA/TimelineBuffer.h"

namespace loom::rt {

/// The CTAs of one launch and its times (ns, %globaltimer).
struct TimelineLaunch {
  uint32_t kernel = 0;              ///< the module id of its records
  uint32_t grid = 0;                ///< CTAs the launch had
  std::vector<TimelineRecord> ctas; ///< by entry time
  uint64_t firstEntry = 0, lastExit = 0;
  /// Over the CTAs that waited (afterWait != 0); 0 when none did.
  uint64_t firstWait = 0, lastWait = 0;
  /// Every CTA of the grid present, each block once, entry <= afterWait <= exit.
  bool complete = false;
};

/// How it works: records are split by module id and sorted by entry time; each run of `grid`
/// records (the grid size every CTA writes) is one launch. This relies on every CTA of one
/// launch of a module entering before any CTA of its next launch, which holds on one stream:
/// a launch overlapped with programmatic dependent launch is scheduled only once every CTA of
/// the kernel before it has triggered or exited, so it has entered. Launches come back in
/// order of their first entry. Records of a partly dropped launch make incomplete launches.
std::vector<TimelineLaunch> groupTimelineLaunches(std::vector<TimelineRecord> records);

} // namespace loom::rt

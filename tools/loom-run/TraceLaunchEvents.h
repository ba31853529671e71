// TraceLaunchEvents: one forward step's timed GPU launches as events on the trace's GPU track.
#pragma once

#include "runtime/Package/LaunchTimer.h"
#include "runtime/Package/Manifest.h"
#include "tools/loom-run/KernelTraffic.h"
#include "tools/loom-run/TraceRecorder.h"

#include <vector>

namespace loom::tools {

/// One step's launches as LaunchTimer read them (TraceRunner keeps these until it flushes).
struct StepLaunches {
  int64_t step = 0;
  double originSeconds = 0; ///< host time of the timer's origin event
  rt::DimValues dims;
  int64_t contextTokens = 0;
  /// The step's graph launch made its bucket's graph instead of replaying one: DecodeGraphs runs
  /// a bucket's first step eagerly, then captures and instantiates the graph (nothing replays).
  bool capturedGraph = false;
  std::vector<rt::TimedLaunch> launches;
};

/// Adds `step`'s launches to `recorder` on kGpuTrack, category "kernel" or "graph": a kernel under
/// its manifest name (with its bytes and GB/s when `traffic` is given), a graph launch as
/// "graph replay (bucket N)", or "eager run + graph capture (bucket N)" when the step captured it.
void recordStepLaunches(TraceRecorder &recorder, const StepLaunches &step,
                        const rt::Manifest &manifest, const KernelTraffic *traffic);

} // namespace loom::tools

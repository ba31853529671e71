// TraceLaunchEvents: kernel launches, graph replays and graph captures as GPU-track events.
#include "tools/loom-run/TraceLaunchEvents.h"

#include <fmt/format.h>

#include <algorithm>

namespace loom::tools {

void recordStepLaunches(TraceRecorder &recorder, const StepLaunches &step,
                        const rt::Manifest &manifest, const KernelTraffic *traffic) {
  for (const rt::TimedLaunch &launch : step.launches) {
    double start = step.originSeconds + launch.startMicroseconds * 1e-6;
    double seconds = launch.microseconds * 1e-6;
    nlohmann::json args = {{"step", step.step}, {"gap_us", launch.gapMicroseconds}};
    if (std::optional<int> bucket = launch.graphBucket) {
      args["bucket"] = *bucket;
      args["captured"] = step.capturedGraph;
      std::string name = step.capturedGraph
                             ? fmt::format("eager run + graph capture (bucket {})", *bucket)
                             : fmt::format("graph replay (bucket {})", *bucket);
      recorder.complete(kGpuTrack, name, "graph", start, seconds, std::move(args));
      continue;
    }
    if (traffic) {
      auto bytes = traffic->launchBytes(launch.kernelIndex, step.dims, step.contextTokens);
      if (bytes.isOk()) {
        args["bytes"] = bytes->total();
        args["GB_per_s"] = bytes->total() / std::max(seconds, 1e-12) / 1e9;
      }
    }
    recorder.complete(kGpuTrack, manifest.kernels[launch.kernelIndex].name, "kernel", start,
                      seconds, std::move(args));
  }
}

} // namespace loom::tools

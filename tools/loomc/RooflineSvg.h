// RooflineSvg: a roofline chart of kernels as a standalone SVG — arithmetic intensity against
// FLOP/s, both logarithmic, under the target's memory and compute roofs.
#pragma once

#include <string>
#include <vector>

namespace loom::loomc {

/// One kernel: its memory traffic, math and time (predicted by the cost model, or measured).
struct RooflineKernel {
  std::string name;
  double bytes = 0;
  double flops = 0;
  double seconds = 0;

  double intensity() const { return flops / bytes; }      ///< FLOP per byte
  double flopsPerSecond() const { return flops / seconds; }
  /// A point needs positive bytes, FLOPs and time (a log axis has no zero).
  bool plottable() const { return bytes > 0 && flops > 0 && seconds > 0; }
};

struct RooflineChart {
  std::string title;                ///< e.g. "stories260k on sm_90a"
  std::string timeSource;           ///< "predicted" or "measured", shown in the subtitle
  double memoryBytesPerSecond = 0;  ///< the memory roof's slope
  double computeFlopsPerSecond = 0; ///< the compute roof
  std::vector<RooflineKernel> kernels;
};

/// How it works: the axes span whole decades around the points and the ridge point
/// (compute / memory); the memory roof is the line y = bandwidth · x up to the ridge, the compute
/// roof is flat after it. Every plottable kernel is one <circle class="kernel"> carrying
/// data-kernel, data-intensity and data-flops-per-second and a <title> tooltip; kernels at the
/// same spot share one label ("name ×N"). Kernels that cannot be plotted (no FLOPs, e.g. a copy
/// or a device-library call the cost model does not price) are listed under the chart.
std::string rooflineSvg(const RooflineChart &chart);

} // namespace loom::loomc

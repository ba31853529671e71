// DeviceTiming: median event-timed runs of stream work, and the device's copy bandwidth (the
// roofline every "% of roofline" of loom-run bench refers to).
#pragma once

#include "runtime/CUDA/Stream.h"

#include <functional>

namespace loom::tools {

/// Median milliseconds of `work` (one run each) over `repeats` runs after `warmup` untimed
/// ones, each bracketed by events on `stream`.
StatusOr<double> medianMilliseconds(const rt::Context &context, const rt::Stream &stream,
                                    const std::function<Status()> &work, int warmup = 2,
                                    int repeats = 5);

/// Device-to-device copy bandwidth in bytes (read + written) per second: a 1 GiB copy, median
/// of 10.
StatusOr<double> measureCopyBandwidth(const rt::Context &context, const rt::Stream &stream);

} // namespace loom::tools

// TimelineSource: turns an emitted kernel's source into its timeline-instrumented copy.
#pragma once

#include "runtime/Support/Status.h"

#include <string>
#include <string_view>

namespace loom::rt {

/// The NVRTC define instrumented sources are compiled with (part of the kernel cache key, so
/// instrumented and plain cubins never mix).
inline constexpr const char *kTimelineDefine = "LOOM_TIMELINE";

/// `source` with a loom::TimelineScope declared first in the body of its `extern "C"
/// __global__` function `kernel` (loom/timeline.cuh): it reads the clock at entry and writes
/// the CTA's record when the wrapper ends. kInvalidArgument when the function is not found.
/// The emitted source itself stays as the compiler wrote it.
StatusOr<std::string> instrumentForTimeline(std::string_view source, std::string_view kernel);

} // namespace loom::rt

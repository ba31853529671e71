// CompileOptions: the one place that decides NVRTC options and include paths for every kernel.
#pragma once

#include "runtime/CUDA/GpuArch.h"

#include <string>
#include <vector>

namespace loom::rt {

/// What a caller may vary per compile; everything else is fixed here.
struct CompileFlags {
  bool lineInfo = false;                 ///< -lineinfo, for profilers
  bool fastMath = false;                 ///< --use_fast_math
  std::vector<std::string> defines;      ///< "NAME" or "NAME=VALUE", passed as -D
  std::vector<std::string> includePaths; ///< extra folders; the device library is embedded
};

/// The full NVRTC option list, in a stable order (it is part of the cache key):
/// -arch=<sm_XX[a]> (cubin + PTX), -std=c++17, -Xptxas=-v (register/shared memory report in
/// the log), then the flags.
std::vector<std::string> nvrtcOptions(GpuArch arch, const CompileFlags &flags);

} // namespace loom::rt

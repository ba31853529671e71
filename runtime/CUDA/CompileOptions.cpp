// NVRTC options.
#include "runtime/CUDA/CompileOptions.h"

#include <fmt/format.h>

namespace loom::rt {

std::vector<std::string> nvrtcOptions(GpuArch arch, const CompileFlags &flags) {
  // -arch=sm_90a (not compute_90a) is what makes NVRTC 13 emit a cubin as well as PTX.
  std::vector<std::string> options = {
      fmt::format("-arch={}", gpuArchName(arch)),
      "-std=c++17",
      "-Xptxas=-v",
      "-DLOOM_NVRTC=1",
  };
  if (flags.lineInfo)
    options.push_back("-lineinfo");
  if (flags.fastMath)
    options.push_back("--use_fast_math");
  for (const std::string &define : flags.defines)
    options.push_back("-D" + define);
  for (const std::string &path : flags.includePaths)
    options.push_back("--include-path=" + path);
  return options;
}

} // namespace loom::rt

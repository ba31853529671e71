// CompileRequest and CompiledKernel: what goes into and comes out of an NVRTC compile.
#pragma once

#include "runtime/CUDA/CompileOptions.h"
#include "runtime/CUDA/GpuArch.h"
#include "runtime/CUDA/PtxasInfo.h"

#include <string>
#include <vector>

namespace loom::rt {

/// One CUDA C++ program. `name` is the kernel (or program) name used in messages and as
/// NVRTC's file name; the source may `#include "loom/types.cuh"` from the embedded library.
struct CompileRequest {
  std::string name;
  std::string source;
  GpuArch arch = GpuArch::kSm90a;
  CompileFlags flags;
};

/// The binary and text outputs of one compile.
struct CompiledKernel {
  std::string cubin; ///< ELF for the requested sm_XX, loadable with cuModuleLoadData
  std::string ptx;   ///< the PTX it came from (for JIT on other GPUs and for inspection)
  std::string log;   ///< NVRTC's program log, including the ptxas resource report
  std::vector<KernelResources> resources; ///< parsed from the log
};

} // namespace loom::rt

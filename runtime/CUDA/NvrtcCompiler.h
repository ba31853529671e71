// NvrtcCompiler: compiles CUDA C++ to cubin + PTX in-process with NVRTC (no cache here).
#pragma once

#include "runtime/CUDA/CompiledKernel.h"
#include "runtime/Support/Status.h"

#include <string>

namespace loom::rt {

/// Compiles one program with the options of CompileOptions.h and the embedded device library.
/// On failure: kCompileError naming the kernel and the arch, followed by the full program log.
StatusOr<CompiledKernel> compileWithNvrtc(const CompileRequest &request);

/// "13.0": the NVRTC this process is linked with (part of every cache key).
const std::string &nvrtcVersion();

} // namespace loom::rt

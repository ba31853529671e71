// LoadedKernel: one kernel compiled from its own source (through a compiler's cache) and loaded —
// how the serving side's small kernels (sampler, greedy rows) come to be.
#pragma once

#include "runtime/CUDA/KernelCompiler.h"
#include "runtime/CUDA/Module.h"

#include <memory>
#include <string>

namespace loom::rt {

/// The module and its one kernel; the module must outlive the kernel (members in this order).
struct LoadedKernel {
  std::unique_ptr<Module> module;
  std::unique_ptr<Kernel> kernel;
};

/// Compiles `source` for `context`'s device and loads kernel `name` from it.
StatusOr<LoadedKernel> loadKernel(const Context &context, KernelCompiler &compiler,
                                  const char *name, std::string source);

} // namespace loom::rt

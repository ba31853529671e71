// loom::jit: a graph module (from the C++ DSL or text) compiled in-process — MLIR pipeline,
// CUDA C++, NVRTC — into a callable JitModule, with compiled graphs cached in the process.
#pragma once

#include "frontend/Jit/JitCache.h"
#include "frontend/Jit/JitModule.h"

#include "mlir/IR/BuiltinOps.h"

#include <string_view>

namespace loom {

/// Compiles `module` (one func.func of graph ops, e.g. Builder::finish()'s result; it is not
/// modified) for `target`. The key of the in-process cache is the module printed without
/// locations + the target + jitCompilerVersion(): jitting an equal module again returns the
/// cached package without running the pipeline (JitModule::fromCache()); NVRTC results are
/// cached by the kernel cache, on disk too. Compile errors come back as kCompileError with the
/// pipeline's diagnostics. Needs no GPU; the module's first call loads it onto one.
StatusOr<JitModule> jit(mlir::ModuleOp module, const JitTarget &target = {},
                        JitCache &cache = JitCache::process());

/// The same for module text (e.g. a .mlir file's contents); the cache key uses the text as given.
/// kInvalidArgument with the parser's located diagnostics when it does not parse.
StatusOr<JitModule> jit(std::string_view moduleText, const JitTarget &target = {},
                        JitCache &cache = JitCache::process());

} // namespace loom

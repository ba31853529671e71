// CompiledGraph: one graph module compiled for one target — what the JIT cache stores and every
// JitModule of that graph shares (the parsed unfused graph, its signature and the package).
#pragma once

#include "frontend/Jit/CallShapes.h"
#include "frontend/Verify/GraphModule.h"
#include "frontend/Verify/GraphSignature.h"
#include "runtime/Package/Package.h"

#include <memory>
#include <string>

namespace loom {

/// A graph module in one weight list entry: the checkpoint tensor a `graph.weight` reads.
struct GraphWeight {
  std::string name;
  ref::ElementType type = ref::ElementType::kF32;
  ref::Shape shape;
};

/// Immutable once built; shared by the cache and the JitModules made from it.
struct CompiledGraph {
  std::string key;     ///< jitCacheKey(moduleText, arch)
  std::string arch;    ///< "sm_90a", ...
  std::shared_ptr<verify::GraphModule> graph; ///< the unfused graph (the reference runs it)
  verify::GraphSignature signature;
  CallSignature callSignature; ///< the signature's input extents, parsed once for every call
  std::vector<GraphWeight> weights;
  rt::Package package; ///< parsed manifest + kernel sources by kernel name
  double compileMilliseconds = 0; ///< parse + MLIR pipeline + package emission
};

/// The version of everything that turns module text into a package: the JIT's format tag, the
/// MLIR/LLVM release and the digest of the embedded device library the kernels include.
std::string jitCompilerVersion();

/// SHA-256 hex over (format tag, module text, target, compiler version): equal keys mean
/// compileGraph would produce the same package.
std::string jitCacheKey(std::string_view moduleText, std::string_view arch);

/// Parses `moduleText` (one func.func of graph ops, with or without locations) and compiles it
/// for `arch` with pipelines::compile(). kInvalidArgument for text that does not parse or a
/// signature the JIT cannot bind (a KV-cache argument); kCompileError with every diagnostic of
/// the pipeline. `key` is stored as given.
StatusOr<std::shared_ptr<const CompiledGraph>> compileGraph(std::string_view moduleText,
                                                            std::string_view arch, std::string key);

} // namespace loom

// KernelCompiler: NVRTC behind the kernel cache, one kernel or many in parallel.
#pragma once

#include "runtime/CUDA/KernelCache.h"
#include "runtime/Support/ThreadPool.h"

#include <memory>
#include <string>
#include <vector>

namespace loom::rt {

/// A compiled kernel, where it came from and how long getting it took.
struct CompileResult {
  std::shared_ptr<const CompiledKernel> kernel;
  CacheOrigin origin = CacheOrigin::kCompiled;
  double milliseconds = 0; ///< key + lookup (+ compile + store) wall time
  std::string key;
};

/// SHA-256 hex over (format tag, name, source, NVRTC options, arch, NVRTC version, digest of the
/// embedded device library). Any change to what could change the cubin changes the key.
std::string kernelCacheKey(const CompileRequest &request);

class KernelCompiler {
public:
  /// `threads == 0`: one per hardware thread.
  explicit KernelCompiler(KernelCache &cache, unsigned threads = 0);

  /// Cache lookup, else NVRTC + store. A failed disk write does not fail the compile.
  StatusOr<CompileResult> compile(const CompileRequest &request);

  /// Compiles every request on the thread pool; results in request order.
  std::vector<StatusOr<CompileResult>> compileAll(const std::vector<CompileRequest> &requests);

  KernelCache &cache() { return cache_; }

private:
  KernelCache &cache_;
  ThreadPool pool_;
};

} // namespace loom::rt

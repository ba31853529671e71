// KernelCompiler: NVRTC behind the kernel cache, one kernel or many in parallel.
#pragma once

#include "runtime/CUDA/KernelCache.h"
#include "runtime/Support/ThreadPool.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace loom::rt {

/// A compiled kernel, where it came from and how long getting it took.
struct CompileResult {
  std::shared_ptr<const CompiledKernel> kernel;
  CacheOrigin origin = CacheOrigin::kCompiled;
  double milliseconds = 0; ///< key + lookup (+ compile + store) wall time
  std::string key;
  /// The kernel's function name in the cubin: the request's name, or kSharedKernelEntry when
  /// compileShared compiled the request under that name.
  std::string entry;
};

/// The function name compileShared gives every kernel it compiles.
inline constexpr const char *kSharedKernelEntry = "loom_shared_kernel";

/// `request` with every whole-identifier occurrence of its name in the source (and the name
/// itself) replaced by kSharedKernelEntry, so kernels whose sources differ only in their names
/// (one per model layer) become one request; nullopt when the source already uses that name.
std::optional<CompileRequest> sharedKernelRequest(const CompileRequest &request);

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

  /// Like compileAll, but each request is compiled as sharedKernelRequest(request) (when it has
  /// one) and requests that become equal are compiled once: the 16 layers of a model cost one
  /// compile per distinct kernel body. Load each result's function by its `entry`. A failure is
  /// reported for every request of the failed body, naming the request's kernel.
  std::vector<StatusOr<CompileResult>> compileShared(const std::vector<CompileRequest> &requests);

  unsigned threads() const { return pool_.size(); }

  KernelCache &cache() { return cache_; }

private:
  KernelCache &cache_;
  ThreadPool pool_;
};

} // namespace loom::rt

// JitCache: the in-process cache of compiled graphs (keyed by module text + target + compiler
// version) and the device state every JitModule shares: GPU contexts and the NVRTC kernel cache.
#pragma once

#include "frontend/Jit/CompiledGraph.h"
#include "runtime/CUDA/Context.h"
#include "runtime/CUDA/KernelCompiler.h"

#include <functional>
#include <map>
#include <memory>
#include <mutex>

namespace loom {

/// Counters since construction.
struct JitCacheStats {
  uint64_t hits = 0;     ///< jit() calls answered from the cache
  uint64_t compiles = 0; ///< jit() calls that ran the MLIR pipeline
  uint64_t failures = 0; ///< compiles that failed (never cached)
  uint64_t contextCreations = 0; ///< device contexts created or tried (a missing driver or device is remembered)
};

/// Thread-safe. `JitCache::process()` is the one jit() uses unless given another.
class JitCache {
public:
  /// Kernels compiled by NVRTC are kept in `kernelCacheDirectory` across processes ("":
  /// memory only); compiled graphs live as long as this object.
  explicit JitCache(std::string kernelCacheDirectory = rt::KernelCache::defaultDirectory());
  JitCache(const JitCache &) = delete;
  JitCache &operator=(const JitCache &) = delete;

  /// The process-wide cache (kernels on disk in rt::KernelCache::defaultDirectory()).
  static JitCache &process();

  /// The compiled graph for (`keyText`, `arch`): from the cache when its key is known, else the
  /// text `compileText()` returns (the same module, possibly with locations) compiled with
  /// compileGraph() and stored. `compileText` is called only on a miss. `fromCache` tells which.
  StatusOr<std::shared_ptr<const CompiledGraph>>
  compile(std::string_view keyText, const std::function<std::string()> &compileText,
          std::string_view arch, bool &fromCache);

  /// The context of device `ordinal`, created on first use (outside the cache's lock, so lookups
  /// and compiles of other threads go on meanwhile). kUnavailable without a driver or device; a
  /// failure is remembered and returned again without retrying.
  StatusOr<std::shared_ptr<rt::Context>> context(int ordinal);
  /// NVRTC behind the kernel cache, created on first use.
  rt::KernelCompiler &kernelCompiler();

  JitCacheStats stats() const;
  size_t size() const;
  /// Drops every compiled graph (JitModules keep theirs alive).
  void clear();

private:
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<const CompiledGraph>, std::less<>> graphs_;
  JitCacheStats stats_;
  std::map<int, StatusOr<std::shared_ptr<rt::Context>>> contexts_;
  rt::KernelCache kernelCache_;
  std::unique_ptr<rt::KernelCompiler> kernelCompiler_;
};

} // namespace loom

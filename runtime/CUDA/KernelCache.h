// KernelCache: compiled kernels by content key, in memory and on disk.
#pragma once

#include "runtime/CUDA/CompiledKernel.h"
#include "runtime/Support/Status.h"

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace loom::rt {

/// Where a lookup found its kernel.
enum class CacheOrigin { kCompiled, kMemory, kDisk };
const char *cacheOriginName(CacheOrigin origin);

/// Counters since construction.
struct KernelCacheStats {
  uint64_t memoryHits = 0;
  uint64_t diskHits = 0;
  uint64_t misses = 0;
  uint64_t corruptEntries = 0; ///< disk entries that failed validation and were deleted
  uint64_t diskWrites = 0;
};

/// Thread-safe. Disk entries are `<directory>/kernels/<key>.lkc`, written atomically
/// (temp + rename), so concurrent processes see a whole entry or none.
class KernelCache {
public:
  /// `directory` empty: memory only.
  explicit KernelCache(std::string directory);

  /// $LOOM_CACHE_DIR, else $XDG_CACHE_HOME/loom, else $HOME/.cache/loom, else "" (memory only).
  static std::string defaultDirectory();

  struct Hit {
    std::shared_ptr<const CompiledKernel> kernel;
    CacheOrigin origin;
  };
  /// Memory first, then disk (a disk hit is promoted to memory). A corrupt disk entry is
  /// deleted and counted, and the lookup misses so the caller rebuilds it.
  std::optional<Hit> lookup(const std::string &key);

  /// Stores in memory and, with a directory, on disk. The Status reports a disk failure;
  /// the memory entry is kept regardless.
  Status store(const std::string &key, std::shared_ptr<const CompiledKernel> kernel);

  /// Path of the disk entry for `key` ("" when memory only).
  std::string entryPath(const std::string &key) const;
  const std::string &directory() const { return directory_; }
  KernelCacheStats stats() const;

private:
  std::string directory_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<const CompiledKernel>> memory_;
  KernelCacheStats stats_;
};

} // namespace loom::rt

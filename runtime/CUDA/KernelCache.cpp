// Memory + disk kernel cache.
#include "runtime/CUDA/KernelCache.h"

#include "runtime/CUDA/CacheEntry.h"
#include "runtime/Support/Files.h"

#include <cstdio>
#include <cstdlib>

namespace loom::rt {

const char *cacheOriginName(CacheOrigin origin) {
  switch (origin) {
  case CacheOrigin::kCompiled:
    return "compiled";
  case CacheOrigin::kMemory:
    return "memory";
  case CacheOrigin::kDisk:
    return "disk";
  }
  return "unknown";
}

KernelCache::KernelCache(std::string directory) : directory_(std::move(directory)) {}

std::string KernelCache::defaultDirectory() {
  if (const char *dir = std::getenv("LOOM_CACHE_DIR"); dir && *dir)
    return dir;
  if (const char *xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg)
    return std::string(xdg) + "/loom";
  if (const char *home = std::getenv("HOME"); home && *home)
    return std::string(home) + "/.cache/loom";
  return "";
}

std::string KernelCache::entryPath(const std::string &key) const {
  if (directory_.empty())
    return "";
  return directory_ + "/kernels/" + key + ".lkc";
}

std::optional<KernelCache::Hit> KernelCache::lookup(const std::string &key) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (auto found = memory_.find(key); found != memory_.end()) {
      ++stats_.memoryHits;
      return Hit{found->second, CacheOrigin::kMemory};
    }
  }
  if (!directory_.empty()) {
    std::string path = entryPath(key);
    StatusOr<std::string> bytes = readFile(path);
    if (bytes.isOk()) {
      StatusOr<CompiledKernel> decoded = decodeCacheEntry(*bytes);
      if (decoded.isOk()) {
        auto kernel = std::make_shared<const CompiledKernel>(std::move(decoded).value());
        std::lock_guard<std::mutex> lock(mutex_);
        ++stats_.diskHits;
        memory_.emplace(key, kernel);
        return Hit{kernel, CacheOrigin::kDisk};
      }
      std::remove(path.c_str());
      std::lock_guard<std::mutex> lock(mutex_);
      ++stats_.corruptEntries;
    }
  }
  std::lock_guard<std::mutex> lock(mutex_);
  ++stats_.misses;
  return std::nullopt;
}

Status KernelCache::store(const std::string &key,
                          std::shared_ptr<const CompiledKernel> kernel) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    memory_[key] = kernel;
  }
  if (directory_.empty())
    return Status::ok();
  LOOM_RETURN_IF_ERROR(writeFileAtomic(entryPath(key), encodeCacheEntry(*kernel)));
  std::lock_guard<std::mutex> lock(mutex_);
  ++stats_.diskWrites;
  return Status::ok();
}

KernelCacheStats KernelCache::stats() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return stats_;
}

} // namespace loom::rt

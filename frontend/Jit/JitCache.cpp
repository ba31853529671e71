// The in-process cache of compiled graphs and the shared device state of JitModules.
#include "frontend/Jit/JitCache.h"

namespace loom {

JitCache::JitCache(std::string kernelCacheDirectory) : kernelCache_(std::move(kernelCacheDirectory)) {}

JitCache &JitCache::process() {
  static JitCache cache;
  return cache;
}

StatusOr<std::shared_ptr<const CompiledGraph>>
JitCache::compile(std::string_view keyText, const std::function<std::string()> &compileText,
                  std::string_view arch, bool &fromCache) {
  std::string key = jitCacheKey(keyText, arch);
  {
    std::lock_guard lock(mutex_);
    if (auto found = graphs_.find(key); found != graphs_.end()) {
      ++stats_.hits;
      fromCache = true;
      return found->second;
    }
  }
  // Compiled outside the lock: a compile takes long, and two threads compiling the same graph
  // at once both get a correct package (the second store keeps the first).
  fromCache = false;
  StatusOr<std::shared_ptr<const CompiledGraph>> compiled = compileGraph(compileText(), arch, key);
  std::lock_guard lock(mutex_);
  if (!compiled.isOk()) {
    ++stats_.failures;
    return compiled.status();
  }
  ++stats_.compiles;
  return graphs_.emplace(key, *compiled).first->second;
}

StatusOr<std::shared_ptr<rt::Context>> JitCache::context(int ordinal) {
  {
    std::lock_guard lock(mutex_);
    if (auto found = contexts_.find(ordinal); found != contexts_.end())
      return found->second;
  }
  // Created outside the lock: loading the driver and creating a context take long. Two threads
  // that race both retain the device's primary context; the first one stored is kept.
  StatusOr<std::unique_ptr<rt::Context>> created = rt::Context::create(ordinal);
  StatusOr<std::shared_ptr<rt::Context>> context =
      created.isOk() ? StatusOr<std::shared_ptr<rt::Context>>(std::move(*created))
                     : StatusOr<std::shared_ptr<rt::Context>>(created.status());
  std::lock_guard lock(mutex_);
  ++stats_.contextCreations;
  // Only "no driver / no such device" is remembered; another failure (out of memory while
  // another process holds the device, ...) may pass, so the next call tries again.
  if (!context.isOk() && context.status().code() != StatusCode::kUnavailable)
    return context;
  return contexts_.emplace(ordinal, std::move(context)).first->second;
}

rt::KernelCompiler &JitCache::kernelCompiler() {
  std::lock_guard lock(mutex_);
  if (!kernelCompiler_)
    kernelCompiler_ = std::make_unique<rt::KernelCompiler>(kernelCache_);
  return *kernelCompiler_;
}

JitCacheStats JitCache::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

size_t JitCache::size() const {
  std::lock_guard lock(mutex_);
  return graphs_.size();
}

void JitCache::clear() {
  std::lock_guard lock(mutex_);
  graphs_.clear();
}

} // namespace loom

// Cached, parallel NVRTC compiles.
#include "runtime/CUDA/KernelCompiler.h"

#include "runtime/CUDA/NvrtcCompiler.h"
#include "runtime/DeviceLib/DeviceLib.h"
#include "runtime/Support/Hash.h"

#include <chrono>
#include <cstdio>

namespace loom::rt {

std::string kernelCacheKey(const CompileRequest &request) {
  Sha256 hash;
  hash.updateField("loom-kernel-cache-v1");
  hash.updateField(request.name);
  hash.updateField(request.source);
  hash.updateField(gpuArchName(request.arch));
  for (const std::string &option : nvrtcOptions(request.arch, request.flags))
    hash.updateField(option);
  hash.updateField(nvrtcVersion());
  hash.updateField(deviceLibDigest());
  return hash.hexDigest();
}

KernelCompiler::KernelCompiler(KernelCache &cache, unsigned threads)
    : cache_(cache), pool_(threads) {}

StatusOr<CompileResult> KernelCompiler::compile(const CompileRequest &request) {
  auto start = std::chrono::steady_clock::now();
  auto elapsedMs = [&] {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
        .count();
  };
  CompileResult result;
  result.key = kernelCacheKey(request);
  if (std::optional<KernelCache::Hit> hit = cache_.lookup(result.key)) {
    result.kernel = std::move(hit->kernel);
    result.origin = hit->origin;
    result.milliseconds = elapsedMs();
    return result;
  }
  LOOM_ASSIGN_OR_RETURN(CompiledKernel compiled, compileWithNvrtc(request));
  result.kernel = std::make_shared<const CompiledKernel>(std::move(compiled));
  result.origin = CacheOrigin::kCompiled;
  if (Status stored = cache_.store(result.key, result.kernel); !stored.isOk())
    std::fprintf(stderr, "loom: warning: kernel '%s' not written to the disk cache: %s\n",
                 request.name.c_str(), stored.toString().c_str());
  result.milliseconds = elapsedMs();
  return result;
}

std::vector<StatusOr<CompileResult>>
KernelCompiler::compileAll(const std::vector<CompileRequest> &requests) {
  std::vector<std::future<StatusOr<CompileResult>>> futures;
  futures.reserve(requests.size());
  for (const CompileRequest &request : requests)
    futures.push_back(pool_.submit([this, &request] { return compile(request); }));
  std::vector<StatusOr<CompileResult>> results;
  results.reserve(requests.size());
  for (auto &future : futures)
    results.push_back(future.get());
  return results;
}

} // namespace loom::rt

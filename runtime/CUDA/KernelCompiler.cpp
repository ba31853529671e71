// Cached, parallel NVRTC compiles.
#include "runtime/CUDA/KernelCompiler.h"

#include "runtime/CUDA/NvrtcCompiler.h"
#include "runtime/DeviceLib/DeviceLib.h"
#include "runtime/Support/Hash.h"

#include <fmt/format.h>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <unordered_map>

namespace loom::rt {
namespace {

bool isIdentifierChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

/// `text` with each whole-identifier occurrence of `from` replaced by `to`, and the count.
std::pair<std::string, size_t> replaceIdentifier(std::string_view text, std::string_view from,
                                                 std::string_view to) {
  std::string out;
  size_t replaced = 0, copied = 0;
  for (size_t at = text.find(from); at != std::string_view::npos; at = text.find(from, at + 1)) {
    size_t end = at + from.size();
    if ((at > 0 && isIdentifierChar(text[at - 1])) || (end < text.size() && isIdentifierChar(text[end])))
      continue;
    out.append(text.substr(copied, at - copied)).append(to);
    copied = end;
    ++replaced;
  }
  out.append(text.substr(copied));
  return {std::move(out), replaced};
}

} // namespace

std::optional<CompileRequest> sharedKernelRequest(const CompileRequest &request) {
  if (request.name.empty() || request.source.find(kSharedKernelEntry) != std::string::npos)
    return std::nullopt;
  auto [source, replaced] = replaceIdentifier(request.source, request.name, kSharedKernelEntry);
  if (replaced == 0)
    return std::nullopt;
  CompileRequest shared = request;
  shared.name = kSharedKernelEntry;
  shared.source = std::move(source);
  return shared;
}

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
  result.entry = request.name;
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

std::vector<StatusOr<CompileResult>>
KernelCompiler::compileShared(const std::vector<CompileRequest> &requests) {
  std::vector<CompileRequest> distinct;
  std::vector<size_t> distinctIndex(requests.size());
  std::unordered_map<std::string, size_t> indexByKey;
  for (size_t i = 0; i < requests.size(); ++i) {
    std::optional<CompileRequest> shared = sharedKernelRequest(requests[i]);
    CompileRequest request = shared ? std::move(*shared) : requests[i];
    auto [it, inserted] = indexByKey.emplace(kernelCacheKey(request), distinct.size());
    if (inserted)
      distinct.push_back(std::move(request));
    distinctIndex[i] = it->second;
  }
  std::vector<StatusOr<CompileResult>> compiled = compileAll(distinct);
  std::vector<StatusOr<CompileResult>> results;
  results.reserve(requests.size());
  for (size_t i = 0; i < requests.size(); ++i) {
    const StatusOr<CompileResult> &result = compiled[distinctIndex[i]];
    if (result.isOk())
      results.push_back(*result);
    else
      results.push_back(result.status().withContext(
          fmt::format("kernel '{}' compiled as '{}'", requests[i].name, kSharedKernelEntry)));
  }
  return results;
}

} // namespace loom::rt

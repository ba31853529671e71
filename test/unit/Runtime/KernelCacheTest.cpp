// The kernel cache: keys, entry format, disk hits across cache instances, corrupt entries
// detected, discarded and rebuilt, and parallel compiles. Runs without a GPU.
#include "TempDir.h"
#include "TestKernels.h"
#include "runtime/CUDA/CacheEntry.h"
#include "runtime/CUDA/KernelCompiler.h"
#include "runtime/Support/Files.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

namespace loom::rt {
namespace {

CompileRequest saxpyRequest(GpuArch arch = GpuArch::kSm90a) {
  CompileRequest request;
  request.name = "saxpy";
  request.source = testing::kSaxpySource;
  request.arch = arch;
  return request;
}

TEST(CacheKeyTest, EqualRequestsShareAKeyAndEveryInputChangesIt) {
  CompileRequest base = saxpyRequest();
  std::string key = kernelCacheKey(base);
  EXPECT_EQ(key.size(), 64u);
  EXPECT_EQ(key, kernelCacheKey(saxpyRequest()));

  CompileRequest otherSource = base;
  otherSource.source += "\n// comment";
  CompileRequest otherArch = saxpyRequest(GpuArch::kSm90);
  CompileRequest otherFlags = base;
  otherFlags.flags.lineInfo = true;
  CompileRequest otherDefine = base;
  otherDefine.flags.defines.push_back("X=1");
  CompileRequest otherName = base;
  otherName.name = "saxpy2";
  for (const CompileRequest *changed : {&otherSource, &otherArch, &otherFlags, &otherDefine,
                                        &otherName})
    EXPECT_NE(kernelCacheKey(*changed), key);
}

CompiledKernel sampleKernel() {
  CompiledKernel kernel;
  kernel.cubin = std::string("\x7f" "ELF", 4) + std::string(1000, '\x42');
  kernel.ptx = ".version 9.0\n.target sm_90a\n";
  kernel.log = "ptxas info    : Compiling entry function 'k' for 'sm_90a'\n"
               "ptxas info    : Used 10 registers, used 1 barriers, 1024 bytes smem\n";
  return kernel;
}

TEST(CacheEntryTest, RoundTripsEveryField) {
  std::string bytes = encodeCacheEntry(sampleKernel());
  StatusOr<CompiledKernel> decoded = decodeCacheEntry(bytes);
  ASSERT_TRUE(decoded.isOk()) << decoded.status().toString();
  EXPECT_EQ(decoded->cubin, sampleKernel().cubin);
  EXPECT_EQ(decoded->ptx, sampleKernel().ptx);
  EXPECT_EQ(decoded->log, sampleKernel().log);
  ASSERT_EQ(decoded->resources.size(), 1u);
  EXPECT_EQ(decoded->resources[0].registers, 10);
  EXPECT_EQ(decoded->resources[0].sharedBytes, 1024);
}

TEST(CacheEntryTest, DetectsTruncationBitFlipsAndBadMagic) {
  std::string bytes = encodeCacheEntry(sampleKernel());
  auto expectCorrupt = [](const std::string &damaged, const char *why) {
    StatusOr<CompiledKernel> decoded = decodeCacheEntry(damaged);
    ASSERT_FALSE(decoded.isOk()) << why;
    EXPECT_NE(decoded.status().message().find("corrupt cache entry"), std::string::npos);
    EXPECT_NE(decoded.status().message().find(why), std::string::npos)
        << decoded.status().message();
  };
  expectCorrupt(bytes.substr(0, bytes.size() - 1), "payload is");
  expectCorrupt(bytes.substr(0, 10), "shorter than the header");
  std::string flipped = bytes;
  flipped[bytes.size() / 2] ^= 1;
  expectCorrupt(flipped, "checksum mismatch");
  std::string badMagic = bytes;
  badMagic[0] = 'X';
  expectCorrupt(badMagic, "bad magic");
  expectCorrupt("", "shorter than the header");
}

/// Sets or unsets an environment variable for one scope.
class ScopedEnv {
public:
  ScopedEnv(const char *name, const char *value) : name_(name) {
    const char *previous = std::getenv(name);
    hadValue_ = previous != nullptr;
    previous_ = previous ? previous : "";
    value ? ::setenv(name, value, 1) : ::unsetenv(name);
  }
  ~ScopedEnv() { hadValue_ ? ::setenv(name_, previous_.c_str(), 1) : ::unsetenv(name_); }

private:
  const char *name_;
  bool hadValue_;
  std::string previous_;
};

TEST(KernelCacheTest, DefaultDirectoryFollowsLoomCacheDirThenHome) {
  {
    ScopedEnv dir("LOOM_CACHE_DIR", "/tmp/loom-cache-dir-test");
    EXPECT_EQ(KernelCache::defaultDirectory(), "/tmp/loom-cache-dir-test");
  }
  ScopedEnv dir("LOOM_CACHE_DIR", nullptr);
  ScopedEnv xdg("XDG_CACHE_HOME", nullptr);
  ScopedEnv home("HOME", "/home/someone");
  EXPECT_EQ(KernelCache::defaultDirectory(), "/home/someone/.cache/loom");
}

TEST(KernelCacheTest, SecondCacheOnTheSameFolderHitsDisk) {
  testing::TempDir dir;
  CompileRequest request = saxpyRequest();
  std::string firstCubin;
  {
    KernelCache cache(dir.path());
    KernelCompiler compiler(cache, 1);
    StatusOr<CompileResult> cold = compiler.compile(request);
    ASSERT_TRUE(cold.isOk()) << cold.status().toString();
    EXPECT_EQ(cold->origin, CacheOrigin::kCompiled);
    firstCubin = cold->kernel->cubin;
    StatusOr<CompileResult> again = compiler.compile(request);
    ASSERT_TRUE(again.isOk());
    EXPECT_EQ(again->origin, CacheOrigin::kMemory);
    EXPECT_TRUE(std::filesystem::exists(cache.entryPath(cold->key)));
    EXPECT_EQ(cache.stats().diskWrites, 1u);
  }
  KernelCache fresh(dir.path());
  KernelCompiler compiler(fresh, 1);
  StatusOr<CompileResult> warm = compiler.compile(request);
  ASSERT_TRUE(warm.isOk());
  EXPECT_EQ(warm->origin, CacheOrigin::kDisk);
  EXPECT_EQ(warm->kernel->cubin, firstCubin);
  EXPECT_EQ(fresh.stats().diskHits, 1u);
  // No temp files are left beside the entry.
  size_t files = 0;
  for (const auto &entry : std::filesystem::directory_iterator(dir.path() + "/kernels")) {
    EXPECT_EQ(entry.path().extension(), ".lkc");
    ++files;
  }
  EXPECT_EQ(files, 1u);
}

TEST(KernelCacheTest, CorruptEntryIsDiscardedAndRebuilt) {
  testing::TempDir dir;
  CompileRequest request = saxpyRequest(GpuArch::kSm80);
  std::string key = kernelCacheKey(request);
  std::string path;
  std::string goodBytes;
  {
    KernelCache cache(dir.path());
    KernelCompiler compiler(cache, 1);
    ASSERT_TRUE(compiler.compile(request).isOk());
    path = cache.entryPath(key);
    goodBytes = *readFile(path);
  }
  // Truncate the entry as a crashed writer without atomic rename would have.
  ASSERT_TRUE(writeFileAtomic(path, goodBytes.substr(0, goodBytes.size() / 2)).isOk());

  KernelCache cache(dir.path());
  EXPECT_FALSE(cache.lookup(key).has_value());
  EXPECT_EQ(cache.stats().corruptEntries, 1u);
  EXPECT_FALSE(std::filesystem::exists(path)) << "the corrupt entry is deleted";

  KernelCompiler compiler(cache, 1);
  StatusOr<CompileResult> rebuilt = compiler.compile(request);
  ASSERT_TRUE(rebuilt.isOk()) << rebuilt.status().toString();
  EXPECT_EQ(rebuilt->origin, CacheOrigin::kCompiled);
  StatusOr<std::string> rewritten = readFile(path);
  ASSERT_TRUE(rewritten.isOk());
  EXPECT_TRUE(decodeCacheEntry(*rewritten).isOk());
  EXPECT_EQ(decodeCacheEntry(*rewritten)->cubin, decodeCacheEntry(goodBytes)->cubin);
}

TEST(KernelCacheTest, ConcurrentWritersNeverExposeATornEntry) {
  testing::TempDir dir;
  auto kernel = std::make_shared<const CompiledKernel>([] {
    CompiledKernel big = sampleKernel();
    big.cubin += std::string(2 << 20, '\x11'); // large enough that a torn write would show
    return big;
  }());
  const std::string key(64, 'a');
  std::atomic<bool> writing{true};
  std::vector<std::thread> writers;
  for (int w = 0; w < 2; ++w)
    writers.emplace_back([&] {
      KernelCache cache(dir.path());
      for (int i = 0; i < 15; ++i)
        EXPECT_TRUE(cache.store(key, kernel).isOk());
    });
  int hits = 0;
  uint64_t corrupt = 0;
  std::thread reader([&] {
    while (writing.load()) {
      KernelCache fresh(dir.path()); // no memory entry: every lookup reads the disk
      if (auto hit = fresh.lookup(key)) {
        ++hits;
        EXPECT_EQ(hit->kernel->cubin, kernel->cubin);
      }
      corrupt += fresh.stats().corruptEntries;
    }
  });
  for (std::thread &writer : writers)
    writer.join();
  writing = false;
  reader.join();
  EXPECT_EQ(corrupt, 0u);
  KernelCache after(dir.path());
  EXPECT_TRUE(after.lookup(key).has_value());
}

TEST(KernelCacheTest, MemoryOnlyCacheWritesNothing) {
  KernelCache cache("");
  KernelCompiler compiler(cache, 1);
  StatusOr<CompileResult> result = compiler.compile(saxpyRequest(GpuArch::kSm80));
  ASSERT_TRUE(result.isOk());
  EXPECT_EQ(cache.entryPath(result->key), "");
  EXPECT_EQ(cache.stats().diskWrites, 0u);
  EXPECT_EQ(compiler.compile(saxpyRequest(GpuArch::kSm80))->origin, CacheOrigin::kMemory);
}

TEST(KernelCompilerTest, CompileAllKeepsRequestOrderAndReportsEachFailure) {
  KernelCache cache("");
  KernelCompiler compiler(cache, 2);
  std::vector<CompileRequest> requests;
  for (GpuArch arch : {GpuArch::kSm80, GpuArch::kSm89, GpuArch::kSm90, GpuArch::kSm90a})
    requests.push_back(saxpyRequest(arch));
  CompileRequest broken;
  broken.name = "broken_kernel";
  broken.source = testing::kBrokenSource;
  requests.insert(requests.begin() + 2, broken);

  std::vector<StatusOr<CompileResult>> results = compiler.compileAll(requests);
  ASSERT_EQ(results.size(), requests.size());
  for (size_t i = 0; i < requests.size(); ++i) {
    if (i == 2) {
      ASSERT_FALSE(results[i].isOk());
      EXPECT_NE(results[i].status().message().find("broken_kernel"), std::string::npos);
      continue;
    }
    ASSERT_TRUE(results[i].isOk()) << results[i].status().toString();
    EXPECT_EQ(results[i]->key, kernelCacheKey(requests[i]));
    std::string target = ".target " + std::string(gpuArchName(requests[i].arch));
    EXPECT_NE(results[i]->kernel->ptx.find(target), std::string::npos);
  }
}

} // namespace
} // namespace loom::rt

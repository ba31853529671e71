// compileShared: kernels whose sources differ only in their names compile once (the layers of a
// model), under one entry name; renaming touches whole identifiers only. Runs without a GPU.
#include "TestKernels.h"
#include "runtime/CUDA/KernelCompiler.h"

#include <gtest/gtest.h>

#include <string>

namespace loom::rt {
namespace {

/// kSaxpySource with its kernel named `name`.
CompileRequest saxpyNamed(const std::string &name) {
  std::string source = testing::kSaxpySource;
  source.replace(source.find("saxpy("), 5, name);
  return {name, source, GpuArch::kSm90a, {}};
}

TEST(SharedKernelRequestTest, RenamesWholeIdentifiersOnly) {
  CompileRequest request{"layer_1",
                         "// layer_1: from graph ops\n"
                         "extern \"C\" __global__ void layer_1(int *layer_12) { layer_12[0] = 1; }\n",
                         GpuArch::kSm90a, {}};
  std::optional<CompileRequest> shared = sharedKernelRequest(request);
  ASSERT_TRUE(shared.has_value());
  EXPECT_EQ(shared->name, kSharedKernelEntry);
  EXPECT_EQ(shared->source, "// loom_shared_kernel: from graph ops\n"
                            "extern \"C\" __global__ void loom_shared_kernel(int *layer_12) { "
                            "layer_12[0] = 1; }\n");
  EXPECT_EQ(shared->arch, request.arch);
}

TEST(SharedKernelRequestTest, LeavesSourcesWithoutTheNameOrWithTheEntryAlone) {
  EXPECT_FALSE(sharedKernelRequest({"absent", "__global__ void other() {}", GpuArch::kSm90a, {}}));
  EXPECT_FALSE(sharedKernelRequest(
      {"k", "__global__ void k() {} __global__ void loom_shared_kernel() {}", GpuArch::kSm90a, {}}));
  EXPECT_FALSE(sharedKernelRequest({"", "__global__ void k() {}", GpuArch::kSm90a, {}}));
}

TEST(KernelSharingTest, LayersOfOneKernelCompileOnce) {
  KernelCache cache("");
  KernelCompiler compiler(cache, 2);
  std::vector<CompileRequest> requests = {saxpyNamed("saxpy_0"), saxpyNamed("saxpy_1"),
                                          saxpyNamed("saxpy_2")};
  CompileRequest other{"fence_only", testing::kWgmmaFenceSource, GpuArch::kSm90a, {}};
  requests.push_back(other);

  std::vector<StatusOr<CompileResult>> results = compiler.compileShared(requests);
  ASSERT_EQ(results.size(), requests.size());
  for (const auto &result : results) {
    ASSERT_TRUE(result.isOk()) << result.status().toString();
    EXPECT_EQ(result->entry, kSharedKernelEntry);
    EXPECT_NE(result->kernel->ptx.find(".entry loom_shared_kernel"), std::string::npos);
  }
  EXPECT_EQ(results[0]->kernel, results[1]->kernel); // the same compiled object
  EXPECT_EQ(results[0]->kernel, results[2]->kernel);
  EXPECT_NE(results[0]->kernel, results[3]->kernel);
  EXPECT_EQ(cache.stats().misses, 2u); // two distinct bodies, two NVRTC compiles

  // A later model with more layers of the same kernel finds it in the cache.
  std::vector<StatusOr<CompileResult>> again = compiler.compileShared({saxpyNamed("saxpy_7")});
  ASSERT_TRUE(again[0].isOk());
  EXPECT_EQ(again[0]->origin, CacheOrigin::kMemory);
  EXPECT_EQ(cache.stats().misses, 2u);
}

TEST(KernelSharingTest, AFailedBodyFailsEveryKernelThatSharesIt) {
  KernelCache cache("");
  KernelCompiler compiler(cache, 2);
  std::string broken = testing::kBrokenSource;
  auto brokenNamed = [&](const std::string &name) {
    std::string source = broken;
    source.replace(source.find("broken_kernel"), 13, name);
    return CompileRequest{name, source, GpuArch::kSm90a, {}};
  };
  std::vector<StatusOr<CompileResult>> results =
      compiler.compileShared({brokenNamed("broken_3"), saxpyNamed("saxpy_0"), brokenNamed("broken_9")});
  ASSERT_FALSE(results[0].isOk());
  ASSERT_FALSE(results[2].isOk());
  EXPECT_TRUE(results[1].isOk());
  EXPECT_NE(results[0].status().toString().find("broken_3"), std::string::npos);
  EXPECT_NE(results[2].status().toString().find("broken_9"), std::string::npos);
  EXPECT_NE(results[2].status().toString().find("undefined_identifier_xyz"), std::string::npos);
  EXPECT_EQ(cache.stats().misses, 2u);
}

TEST(KernelSharingTest, CompileKeepsTheRequestsOwnName) {
  KernelCache cache("");
  KernelCompiler compiler(cache, 1);
  StatusOr<CompileResult> result = compiler.compile(saxpyNamed("saxpy_5"));
  ASSERT_TRUE(result.isOk()) << result.status().toString();
  EXPECT_EQ(result->entry, "saxpy_5");
  EXPECT_NE(result->kernel->ptx.find(".entry saxpy_5"), std::string::npos);
}

} // namespace
} // namespace loom::rt

// The GPU sampler's wrapper compiles with NVRTC for sm_80 and sm_90a without spills or stack
// (CPU only; runs in CI).
#include "runtime/CUDA/KernelCompiler.h"
#include "runtime/Serving/GpuSampler.h"

#include <gtest/gtest.h>

namespace loom::rt {
namespace {

class SamplerCompileTest : public ::testing::TestWithParam<GpuArch> {};

TEST_P(SamplerCompileTest, CompilesWithoutSpills) {
  KernelCache cache("");
  KernelCompiler compiler(cache, 1);
  CompileRequest request;
  request.name = kSamplerKernelName;
  request.source = samplerKernelSource();
  request.arch = GetParam();
  auto compiled = compiler.compile(request);
  ASSERT_TRUE(compiled.isOk()) << compiled.status().toString();
  const CompiledKernel &kernel = *compiled->kernel;
  EXPECT_FALSE(kernel.cubin.empty());
  ASSERT_EQ(kernel.resources.size(), 1u) << kernel.log;
  EXPECT_EQ(kernel.resources[0].function, kSamplerKernelName);
  EXPECT_EQ(kernel.resources[0].spillStoreBytes, 0) << kernel.log;
  EXPECT_EQ(kernel.resources[0].stackBytes, 0) << kernel.log;
}

INSTANTIATE_TEST_SUITE_P(Targets, SamplerCompileTest,
                         ::testing::Values(GpuArch::kSm80, GpuArch::kSm90a),
                         [](const auto &info) { return std::string(gpuArchName(info.param)); });

} // namespace
} // namespace loom::rt

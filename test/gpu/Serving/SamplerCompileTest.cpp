// The serving side's kernels (loom/sampler.cuh's wrapper, the many-CTA greedy argmax that
// GreedyRows and the decode graphs launch, the step inputs' gather) compile with NVRTC for sm_80 and sm_90a without spills or stack (CPU only).
#include "runtime/CUDA/KernelCompiler.h"
#include "runtime/Serving/GpuSampler.h"
#include "runtime/Serving/GraphArgmax.h"
#include "runtime/Serving/StepUploads.h"

#include <gtest/gtest.h>

namespace loom::rt {
namespace {

class SamplerCompileTest : public ::testing::TestWithParam<GpuArch> {
protected:
  /// Compiles `source` (one kernel, `name`) and checks its resources.
  void expectCompilesWithoutSpills(const char *name, std::string source) {
    KernelCache cache("");
    KernelCompiler compiler(cache, 1);
    CompileRequest request;
    request.name = name;
    request.source = std::move(source);
    request.arch = GetParam();
    auto compiled = compiler.compile(request);
    ASSERT_TRUE(compiled.isOk()) << compiled.status().toString();
    const CompiledKernel &kernel = *compiled->kernel;
    EXPECT_FALSE(kernel.cubin.empty());
    ASSERT_EQ(kernel.resources.size(), 1u) << kernel.log;
    EXPECT_EQ(kernel.resources[0].function, name);
    EXPECT_EQ(kernel.resources[0].spillStoreBytes, 0) << kernel.log;
    EXPECT_EQ(kernel.resources[0].stackBytes, 0) << kernel.log;
  }
};

TEST_P(SamplerCompileTest, CompilesWithoutSpills) {
  expectCompilesWithoutSpills(kSamplerKernelName, samplerKernelSource());
}

TEST_P(SamplerCompileTest, TheGreedyArgmaxCompilesWithoutSpills) {
  expectCompilesWithoutSpills(kGraphArgmaxKernelName, graphArgmaxKernelSource());
}

TEST_P(SamplerCompileTest, StepInputGatherCompilesWithoutSpills) {
  expectCompilesWithoutSpills(kGatherKernelName, gatherKernelSource());
}

INSTANTIATE_TEST_SUITE_P(Targets, SamplerCompileTest,
                         ::testing::Values(GpuArch::kSm80, GpuArch::kSm90a),
                         [](const auto &info) { return std::string(gpuArchName(info.param)); });

} // namespace
} // namespace loom::rt

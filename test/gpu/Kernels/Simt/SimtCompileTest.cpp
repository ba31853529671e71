// Every SIMT fallback instantiation of the GPU tests compiles with NVRTC for sm_80 and sm_90a,
// with no spills or stack, on CUDA cores (no mma / wgmma in the PTX); CPU only, runs in CI.
#include "SimtKernels.h"

#include "runtime/CUDA/KernelCompiler.h"

#include <gtest/gtest.h>

namespace loom::testing {
namespace {

class SimtCompileTest : public ::testing::TestWithParam<rt::GpuArch> {};

TEST_P(SimtCompileTest, EveryInstantiationCompilesWithoutSpills) {
  const auto sources = simtKernelSources();
  std::vector<rt::CompileRequest> requests;
  for (const auto &[name, source] : sources)
    requests.push_back({name, source, GetParam(), {}});
  rt::KernelCache cache("");
  rt::KernelCompiler compiler(cache);
  std::vector<StatusOr<rt::CompileResult>> results = compiler.compileAll(requests);
  ASSERT_EQ(results.size(), sources.size());
  for (size_t i = 0; i < sources.size(); ++i) {
    ASSERT_TRUE(results[i].isOk()) << sources[i].second << results[i].status().toString();
    const rt::CompiledKernel &compiled = *results[i]->kernel;
    EXPECT_NE(compiled.ptx.find(".entry " + sources[i].first + "("), std::string::npos) << sources[i].first;
    EXPECT_EQ(compiled.ptx.find("mma"), std::string::npos) << sources[i].first << " is not a CUDA-core kernel";
    for (const rt::KernelResources &resources : compiled.resources) {
      EXPECT_EQ(resources.spillStoreBytes, 0) << resources.function << "\n" << compiled.log;
      EXPECT_EQ(resources.stackBytes, 0) << resources.function << "\n" << compiled.log;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Targets, SimtCompileTest, ::testing::Values(rt::GpuArch::kSm80, rt::GpuArch::kSm90a),
                         [](const auto &info) { return std::string(gpuArchName(info.param)); });

} // namespace
} // namespace loom::testing

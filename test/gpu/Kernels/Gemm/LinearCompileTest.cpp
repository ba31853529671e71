// CPU test (no GPU): every GEMM / GEMV instantiation the GPU tests use compiles with NVRTC for
// sm_80 and sm_90a, without spilling accumulators, and its static resources fit a CTA.
#include "test/gpu/Kernels/Gemm/LinearTestKernels.h"

#include "runtime/CUDA/NvrtcCompiler.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace loom::testing {
namespace {

class LinearCompileTest : public ::testing::TestWithParam<rt::GpuArch> {};

TEST_P(LinearCompileTest, EveryTestInstantiationCompiles) {
  rt::CompileRequest request;
  request.name = "linear_test_kernels";
  request.arch = GetParam();
  // The skinny linear and the split-K GEMV need thread-block clusters (sm_90).
  auto compiles = [&](const LinearKernelSpec &spec) {
    const bool clusters = spec.skinny || (spec.gemv && spec.gemvTile.split > 1);
    return !clusters || GetParam() != rt::GpuArch::kSm80;
  };
  for (const LinearKernelSpec &spec : linearTestKernels())
    if (compiles(spec))
      request.source += linearKernelSource(spec);
  StatusOr<rt::CompiledKernel> compiled = rt::compileWithNvrtc(request);
  ASSERT_TRUE(compiled.isOk()) << compiled.status().toString();
  EXPECT_FALSE(compiled->cubin.empty());
  for (const LinearKernelSpec &spec : linearTestKernels()) {
    if (!compiles(spec))
      continue;
    SCOPED_TRACE(spec.name);
    auto found = std::find_if(compiled->resources.begin(), compiled->resources.end(),
                              [&](const rt::KernelResources &r) { return r.function == spec.name; });
    ASSERT_NE(found, compiled->resources.end()) << "no ptxas report for " << spec.name;
    // ptxas keeps the 64x64 tiles at 128 registers with a 4-byte spill on sm_90a; more than a
    // word or two means an accumulator array went to local memory.
    EXPECT_LE(found->spillStoreBytes, 8) << "register spills";
    EXPECT_LE(found->registers, 255);
    rt::LaunchConfig launch = linearLaunch(spec, 4096, 4096);
    EXPECT_LE(int(launch.dynamicSharedBytes) + found->sharedBytes, 227 * 1024);
  }
}

INSTANTIATE_TEST_SUITE_P(Targets, LinearCompileTest,
                         ::testing::Values(rt::GpuArch::kSm80, rt::GpuArch::kSm90a),
                         [](const auto &info) { return std::string(rt::gpuArchName(info.param)); });

} // namespace
} // namespace loom::testing

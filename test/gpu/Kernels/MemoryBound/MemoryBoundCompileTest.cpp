// Every memory-bound instantiation compiles with NVRTC for sm_80 and sm_90a, with no spills
// (CPU only; runs in CI).
#include "MemoryBoundInstantiations.h"
#include "runtime/CUDA/KernelCompiler.h"

#include <gtest/gtest.h>

#include <set>

namespace loom::testing {
namespace {

class MemoryBoundCompileTest : public ::testing::TestWithParam<rt::GpuArch> {};

TEST_P(MemoryBoundCompileTest, EveryInstantiationCompilesWithoutSpills) {
  const std::vector<KernelSpec> kernels = memoryBoundKernels();
  std::set<std::string> names;
  std::vector<rt::CompileRequest> requests;
  for (const KernelSpec &kernel : kernels) {
    EXPECT_TRUE(names.insert(kernel.name).second) << "duplicate kernel name " << kernel.name;
    rt::CompileRequest request;
    request.name = kernel.name;
    request.source = kernel.wrapper;
    request.arch = GetParam();
    requests.push_back(request);
  }
  rt::KernelCache cache("");
  rt::KernelCompiler compiler(cache);
  std::vector<StatusOr<rt::CompileResult>> results = compiler.compileAll(requests);
  ASSERT_EQ(results.size(), kernels.size());
  for (size_t i = 0; i < kernels.size(); ++i) {
    ASSERT_TRUE(results[i].isOk()) << kernels[i].wrapper << results[i].status().toString();
    const rt::CompiledKernel &compiled = *results[i]->kernel;
    ASSERT_EQ(compiled.resources.size(), 1u) << kernels[i].name;
    const rt::KernelResources &resources = compiled.resources[0];
    EXPECT_EQ(resources.function, kernels[i].name);
    EXPECT_EQ(resources.spillStoreBytes, 0) << kernels[i].name << "\n" << compiled.log;
    EXPECT_EQ(resources.stackBytes, 0) << kernels[i].name << "\n" << compiled.log;
    // 16-byte global accesses (all but the element-by-element softmax/argmax variants).
    if (!kernels[i].name.ends_with("_v1")) {
      EXPECT_NE(compiled.ptx.find(".v4."), std::string::npos) << kernels[i].name;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Targets, MemoryBoundCompileTest,
                         ::testing::Values(rt::GpuArch::kSm80, rt::GpuArch::kSm90a),
                         [](const auto &info) { return std::string(gpuArchName(info.param)); });

} // namespace
} // namespace loom::testing

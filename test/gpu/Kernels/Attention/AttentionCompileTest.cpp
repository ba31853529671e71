// Every attention instantiation compiles with NVRTC for sm_80 and sm_90a (the Hopper prefill for
// sm_90a only), with no spills (a few bytes where the table allows them), mma.sync or wgmma where
// the kernel is a matrix kernel (CPU only; runs in CI).
#include "AttentionInstantiations.h"
#include "runtime/CUDA/KernelCompiler.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <set>

namespace loom::testing {
namespace {

class AttentionCompileTest : public ::testing::TestWithParam<rt::GpuArch> {};

TEST_P(AttentionCompileTest, EveryInstantiationCompilesWithoutSpills) {
  const std::vector<AttentionModule> modules = attentionModules(GetParam());
  std::set<std::string> names;
  std::vector<rt::CompileRequest> requests;
  for (const AttentionModule &module : modules) {
    EXPECT_TRUE(names.insert(module.name).second) << "duplicate kernel name " << module.name;
    requests.push_back({module.name, module.source, GetParam(), {}});
  }
  rt::KernelCache cache("");
  rt::KernelCompiler compiler(cache);
  std::vector<StatusOr<rt::CompileResult>> results = compiler.compileAll(requests);
  ASSERT_EQ(results.size(), modules.size());
  for (size_t i = 0; i < modules.size(); ++i) {
    ASSERT_TRUE(results[i].isOk()) << modules[i].source << results[i].status().toString();
    const rt::CompiledKernel &compiled = *results[i]->kernel;
    for (const rt::KernelResources &resources : compiled.resources) {
      std::printf("%-56s %3d registers %5d B static shared\n", resources.function.c_str(),
                  resources.registers, resources.sharedBytes);
      EXPECT_LE(resources.spillStoreBytes, modules[i].spillBytesAllowed)
          << resources.function << "\n" << compiled.log;
      EXPECT_LE(resources.stackBytes, modules[i].spillBytesAllowed)
          << resources.function << "\n" << compiled.log;
      EXPECT_LE(resources.registers, 255) << resources.function;
    }
    if (modules[i].sm90Only) {
      EXPECT_NE(compiled.ptx.find("wgmma.mma_async.sync.aligned.m64n"), std::string::npos);
      EXPECT_NE(compiled.ptx.find("cp.async.mbarrier.arrive.noinc"), std::string::npos);
      // ptxas serializes wgmma (a large slowdown) when it cannot prove the pipeline safe.
      EXPECT_EQ(compiled.log.find("serialized"), std::string::npos) << compiled.log;
    } else if (modules[i].name.starts_with("paged_prefill")) {
      EXPECT_NE(compiled.ptx.find("mma.sync.aligned.m16n8k16"), std::string::npos);
      EXPECT_NE(compiled.ptx.find("ldmatrix.sync.aligned.m8n8.x4.trans"), std::string::npos);
    }
    if (modules[i].name.starts_with("paged_decode")) { // one kernel: no combine beside it
      EXPECT_EQ(compiled.resources.size(), 1u) << modules[i].name;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Targets, AttentionCompileTest,
                         ::testing::Values(rt::GpuArch::kSm80, rt::GpuArch::kSm90a),
                         [](const auto &info) { return std::string(gpuArchName(info.param)); });

} // namespace
} // namespace loom::testing

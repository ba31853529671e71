// compile() of the tiny Llama forward step batch-invariant (CPU, no GPU): the manifest says
// "batch_invariant", and the program is one kernel per op launched on every step — no decode
// GEMV or skinny copies, no decode-only attention branch, no guard. The default compile of the
// same module keeps its step-shape branches and says nothing.
#include "test/gpu/Model/TinyLlama.h"

#include <gtest/gtest.h>

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringRef.h"

namespace loom::testing {
namespace {

/// The program's kernels without their numeric suffix ("fused_linear_add_1" -> "fused_linear_add")
/// and the guard of each entry.
std::pair<std::vector<std::string>, std::vector<std::string>> programOf(const rt::Manifest &manifest) {
  std::vector<std::string> families, guards;
  for (size_t entry = 0; entry < manifest.program.size(); ++entry) {
    llvm::StringRef name = manifest.kernels[manifest.program[entry]].name;
    auto [family, number] = name.rsplit('_');
    families.push_back((!number.empty() && llvm::all_of(number, llvm::isDigit) ? family : name).str());
    guards.push_back(rt::launchGuardName(manifest.programGuards[entry]));
  }
  return {families, guards};
}

StatusOr<rt::Package> compileTiny(const std::string &target, bool batchInvariant) {
  mlir::MLIRContext context;
  LOOM_ASSIGN_OR_RETURN(models::LlamaForward forward, buildTinyForward(context, tinyEngineConfig(), true));
  return compileTinyForward(context, *forward.module, target, nullptr, batchInvariant);
}

class BatchInvariantCompile : public ::testing::TestWithParam<const char *> {};

TEST_P(BatchInvariantCompile, OneKernelPerOpAtEveryStep) {
  auto package = compileTiny(GetParam(), true);
  ASSERT_TRUE(package.isOk()) << package.status().toString();
  EXPECT_TRUE(package->manifest.batchInvariant);
  auto [families, guards] = programOf(package->manifest);
  std::vector<std::string> expected = {"embedding"};
  for (int layer = 0; layer < 2; ++layer)
    expected.insert(expected.end(), {"fused_rms_norm_linear_split_rope_rope_kv_append", "paged_attention",
                                     "fused_linear_add", "fused_rms_norm_linear_split_silu_mul",
                                     "fused_linear_add"});
  expected.insert(expected.end(), {"rms_norm", "embedding", "fused_linear_cast"});
  EXPECT_EQ(families, expected);
  EXPECT_EQ(guards, std::vector<std::string>(expected.size(), "always"));
  EXPECT_EQ(package->manifest.kernels.size(), expected.size()) << "no kernel is left unlaunched";
}

TEST_P(BatchInvariantCompile, TheDefaultKeepsItsStepShapeBranches) {
  auto package = compileTiny(GetParam(), false);
  ASSERT_TRUE(package.isOk()) << package.status().toString();
  EXPECT_FALSE(package->manifest.batchInvariant);
  auto [families, guards] = programOf(package->manifest);
  EXPECT_EQ(std::count(families.begin(), families.end(), "paged_attention_decode"), 2);
  // 4 GEMMs a layer, each with a MAX_M 8 and a MAX_M 16 GEMV copy; the LM head's rows (at most
  // 8 sequences) are a MAX_M 8 GEMV already.
  EXPECT_EQ(std::count(guards.begin(), guards.end(), "tokens <= 8"), 8);
  EXPECT_EQ(std::count(guards.begin(), guards.end(), "tokens > 8 && tokens <= 16"), 8);
}

INSTANTIATE_TEST_SUITE_P(Targets, BatchInvariantCompile, ::testing::Values("sm_80", "sm_90a"));

} // namespace
} // namespace loom::testing

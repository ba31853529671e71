// compile() of a whole Llama forward step (the tiny config of TinyLlama.h) succeeds for sm_80 and
// sm_90a, every kernel compiles with NVRTC (no GPU needed), the package loads, and its program
// is the expected kernel sequence: per layer one rope + kv_append and paged attention as the
// prefill kernel (launched on prefill steps) or the split-K decode kernel + combine (launched on
// decode-only steps), no kernel for the split pieces.
#include "runtime/CUDA/NvrtcCompiler.h"
#include "test/gpu/Model/TinyLlama.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace loom::testing {
namespace {

class TinyLlamaCompile : public ::testing::TestWithParam<const char *> {};

TEST_P(TinyLlamaCompile, WholeForwardCompilesAndLoads) {
  const std::string target = GetParam();
  auto arch = rt::parseGpuArch(target);
  ASSERT_TRUE(arch.isOk()) << arch.status().toString();
  mlir::MLIRContext context;
  auto forward = buildTinyForward(context, tinyEngineConfig(), true);
  ASSERT_TRUE(forward.isOk()) << forward.status().toString();
  std::map<std::string, std::string> sources;
  auto package = compileTinyForward(context, *forward->module, target, &sources);
  ASSERT_TRUE(package.isOk()) << package.status().toString();

  std::vector<std::string> program, guards;
  for (size_t entry = 0; entry < package->manifest.program.size(); ++entry) {
    program.push_back(package->manifest.kernels[package->manifest.program[entry]].name);
    guards.push_back(rt::launchGuardName(package->manifest.programGuards[entry]));
  }
  // embedding, then per layer: QKV GEMM (folded norm), rope + kv_append, attention (prefill
  // kernel | decode split + combine), o_proj + residual, gated gate/up GEMM (folded norm), down +
  // residual; final norm, logit rows, LM head.
  const std::vector<std::string> layer = {"fused_rms_norm_linear", "rope_kv_append", "paged_attention",
                                          "paged_attention_decode", "paged_attention_combine",
                                          "fused_linear_add", "fused_rms_norm_linear_split_silu_mul",
                                          "fused_linear_add"};
  const std::vector<std::string> layerGuards = {"always", "always", "prefill", "decode", "decode",
                                                "always", "always", "always"};
  std::vector<std::string> families = {"embedding"}, expectedGuards = {"always"};
  for (int l = 0; l < 2; ++l) {
    families.insert(families.end(), layer.begin(), layer.end());
    expectedGuards.insert(expectedGuards.end(), layerGuards.begin(), layerGuards.end());
  }
  for (const char *tail : {"rms_norm", "embedding", "fused_linear_cast"}) {
    families.push_back(tail);
    expectedGuards.push_back("always");
  }
  ASSERT_EQ(program.size(), families.size()) << fmt::format("{}", fmt::join(program, " "));
  for (size_t i = 0; i < program.size(); ++i) {
    EXPECT_EQ(program[i].substr(0, program[i].find_last_of('_')), families[i]) << i;
    EXPECT_EQ(guards[i], expectedGuards[i]) << i << " " << program[i];
  }

  for (const auto &[path, source] : sources) {
    std::string kernel = std::filesystem::path(path).stem().string();
    auto compiled = rt::compileWithNvrtc({kernel, source, *arch, {}});
    ASSERT_TRUE(compiled.isOk()) << path << ":\n" << compiled.status().message() << "\n" << source;
    EXPECT_FALSE(compiled->cubin.empty()) << path;
  }
  EXPECT_EQ(sources.size(), package->manifest.kernels.size());
}

INSTANTIATE_TEST_SUITE_P(Targets, TinyLlamaCompile, ::testing::Values("sm_80", "sm_90a"));

} // namespace
} // namespace loom::testing

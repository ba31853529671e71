// compile() of a whole Llama forward step (the tiny config of TinyLlama.h) succeeds for sm_80 and
// sm_90a, every kernel compiles with NVRTC (no GPU needed), the package loads, and its program
// is the expected kernel sequence: per layer the QKV GEMM with rope + kv_append in its epilogue,
// and paged attention as the prefill kernel (launched on prefill steps) or the split-K decode
// kernel, which merges its splits itself (launched on decode-only steps), no kernel for the
// split pieces.
#include "runtime/CUDA/NvrtcCompiler.h"
#include "test/gpu/Model/TinyLlama.h"

#include <gtest/gtest.h>

#include <algorithm>
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
  // embedding, then per layer: QKV GEMM (folded norm; rope + kv_append in its epilogue, after
  // graph-rope-pairs made the ropes interleaved), attention (prefill
  // kernel | decode split), o_proj + residual, gated gate/up GEMM (folded norm), down +
  // residual; final norm, logit rows, LM head. Every GEMM of the layer (rows = tokens, bounded by
  // 256) comes as decode GEMV copies for steps of at most 8 rows (MAX_M 8) and of 9..16, then
  // the GEMM for the others.
  // On sm_90 and sm_90a a skinny copy takes the steps of 17..128 rows between them: on sm_90 the
  // mma.sync kernel (loom/gemm_skinny.cuh), on sm_90a with bf16 the wgmma one
  // (loom/gemm_sm90_skinny.cuh).
  std::vector<std::string> layer, layerGuards;
  const bool skinny = target != "sm_80";
  auto gemm = [&](const std::string &family) {
    if (!skinny) {
      layer.insert(layer.end(), {family + "_gemv8", family + "_gemv", family});
      layerGuards.insert(layerGuards.end(), {"tokens <= 8", "tokens > 8 && tokens <= 16", "tokens > 16"});
      return;
    }
    layer.insert(layer.end(), {family + "_gemv8", family + "_gemv", family + "_skinny", family});
    layerGuards.insert(layerGuards.end(),
                       {"tokens <= 8", "tokens > 8 && tokens <= 16", "tokens > 16 && tokens <= 128", "tokens > 128"});
  };
  gemm("fused_rms_norm_linear_split_rope_rope_kv_append");
  layer.insert(layer.end(), {"paged_attention", "paged_attention_decode"});
  layerGuards.insert(layerGuards.end(), {"prefill", "decode"});
  gemm("fused_linear_add");
  gemm("fused_rms_norm_linear_split_silu_mul");
  gemm("fused_linear_add");
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
  // A decode step of 4 sequences launches the GEMV variants and the decode attention; a ragged
  // prefill of 143 tokens the GEMMs and the prefill attention; neither launches both variants.
  auto launched = [&](const rt::DimValues &dims) {
    std::vector<std::string> names;
    for (size_t index : package->manifest.launches(dims))
      names.push_back(package->manifest.kernels[index].name);
    return names;
  };
  auto count = [](const std::vector<std::string> &names, std::string_view part) {
    return std::count_if(names.begin(), names.end(),
                         [&](const std::string &name) { return name.find(part) != std::string::npos; });
  };
  std::vector<std::string> decode = launched({{"tokens", 4}, {"seqs", 4}, {"blocks_per_seq", 16}});
  std::vector<std::string> prefill = launched({{"tokens", 143}, {"seqs", 3}, {"blocks_per_seq", 16}});
  EXPECT_EQ(count(decode, "_gemv8_"), 8) << fmt::format("{}", fmt::join(decode, " "));
  EXPECT_EQ(count(decode, "_gemv_"), 0) << fmt::format("{}", fmt::join(decode, " "));
  EXPECT_EQ(count(decode, "paged_attention_decode"), 2);
  EXPECT_EQ(count(prefill, "_gemv"), 0) << fmt::format("{}", fmt::join(prefill, " "));
  EXPECT_EQ(count(prefill, "fused_linear_add_"), 4);
  EXPECT_EQ(decode.size(), 1 + 2 * 5 + 3u);
  EXPECT_EQ(prefill.size(), 1 + 2 * 5 + 3u);

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

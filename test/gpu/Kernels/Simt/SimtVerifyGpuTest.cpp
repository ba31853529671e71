// Graphs whose GEMMs take the CUDA-core fallback, compiled by compile() for sm_80 and sm_90a, run
// on the GPU and compared with the CPU reference interpreter on the unfused graph (frontend/Verify:
// same random weights and inputs): stories260k's f32 MLP (RMSNorm prologue, merged gate/up with
// silu, K = 172 down projection + residual) and a bf16 linear with K = 172, N = 36 and a bias
// (which graphs take the fallback is checked by lit: simt-fallback.mlir).
#include "frontend/Verify/GpuVerifier.h"
#include "test/gpu/GpuTestSupport.h"

#include <fmt/format.h>

namespace loom::verify {
namespace {

struct FallbackGraph {
  const char *name, *text;
};

const FallbackGraph kGraphs[] = {
    {"stories_mlp_f32", R"(
func.func @forward(%x: tensor<?x64xf32> {loom.name = "x"}) -> (tensor<?x64xf32> {loom.name = "y"})
    attributes {loom.max_tokens = 256 : i64} {
  %g = graph.weight "post_attention_layernorm.weight" : tensor<64xf32>
  %wgu = graph.weight "mlp.gate_up.weight" : tensor<344x64xf32>
  %wd = graph.weight "mlp.down_proj.weight" : tensor<64x172xf32>
  %n = graph.rms_norm %x, %g {eps = 1.0e-5 : f32} : tensor<?x64xf32>, tensor<64xf32>
  %gu = graph.linear %n, %wgu : tensor<?x64xf32>, tensor<344x64xf32> -> tensor<?x344xf32>
  %gate, %up = graph.split %gu {axis = 1 : i64} : tensor<?x344xf32> -> tensor<?x172xf32>, tensor<?x172xf32>
  %a = graph.silu %gate : tensor<?x172xf32>
  %h = graph.mul %a, %up : tensor<?x172xf32>
  %d = graph.linear %h, %wd : tensor<?x172xf32>, tensor<64x172xf32> -> tensor<?x64xf32>
  %y = graph.add %d, %x : tensor<?x64xf32>
  return %y : tensor<?x64xf32>
})"},
    {"odd_k_bf16", R"(
func.func @forward(%x: tensor<?x172xbf16> {loom.name = "x"}) -> (tensor<?x36xbf16> {loom.name = "y"})
    attributes {loom.max_tokens = 256 : i64} {
  %w = graph.weight "proj.weight" : tensor<36x172xbf16>
  %b = graph.weight "proj.bias" : tensor<36xbf16>
  %y = graph.linear %x, %w, %b : tensor<?x172xbf16>, tensor<36x172xbf16>, tensor<36xbf16> -> tensor<?x36xbf16>
  return %y : tensor<?x36xbf16>
})"},
};

using GraphAndTarget = std::tuple<int, std::string>;

class SimtVerifyGpuTest : public loom::testing::GpuTest, public ::testing::WithParamInterface<GraphAndTarget> {};

TEST_P(SimtVerifyGpuTest, MatchesTheReference) {
  const auto &[graph, target] = GetParam();
  VerifyOptions options;
  options.target = target;
  options.ulps = 16; // as the verification cases of gated graphs (test/gpu/Compiler/VerifyCases.h)
  auto verifier = GpuVerifier::create(kGraphs[graph].text, options, *context_, compiler_);
  ASSERT_TRUE(verifier.isOk()) << verifier.status().toString();
  for (int64_t tokens : {1, 7, 33, 256}) {
    auto report = (*verifier)->verify({{"tokens", tokens}}, /*inputSeed=*/500 + tokens, *stream_);
    ASSERT_TRUE(report.isOk()) << report.status().toString();
    std::cout << fmt::format("[verify] {} {} tokens {}: {}\n", kGraphs[graph].name, target, tokens,
                             report->describe());
    EXPECT_TRUE(report->passed()) << report->describe();
  }
}

INSTANTIATE_TEST_SUITE_P(Graphs, SimtVerifyGpuTest,
                         ::testing::Combine(::testing::Range(0, int(std::size(kGraphs))),
                                            ::testing::Values(std::string("sm_80"), std::string("sm_90a"))),
                         [](const auto &param) {
                           return fmt::format("{}_{}", kGraphs[std::get<0>(param.param)].name,
                                              std::get<1>(param.param));
                         });

} // namespace
} // namespace loom::verify

// GPU tests of loom/gemm.cuh, loom/gemv.cuh, loom/gemm_skinny.cuh and loom/gemm_sm90_skinny.cuh
// (the SkinnyWgmma cases): hand-written wrappers (as the emitter writes them)
// compiled through NVRTC + the kernel cache, on random inputs, against a CPU f64 reference.
#include "test/gpu/Kernels/Gemm/LinearProblem.h"
#include "test/gpu/Kernels/Gemm/LinearTestKernels.h"

#include <functional>

namespace loom::testing {
namespace {

struct Shape {
  int m, n, k;
};

/// Thread-block clusters (the skinny linear's split-K reduction) need sm_90.
bool supportsClusters(rt::GpuArch arch) {
  return arch == rt::GpuArch::kSm90 || arch == rt::GpuArch::kSm90a;
}

class LinearGpuTest : public GpuTest {
protected:
  /// Runs `name` on every shape and expects every checked element within tolerance, no NaN
  /// left in Y, and a relative L2 error under `maxRelativeL2`. With `fixedSeed`, every shape
  /// draws its operands from that seed (rows shared by two shapes are equal); `inspect` sees
  /// each problem after its run.
  void expectMatches(const std::string &name, const std::vector<Shape> &shapes,
                     double maxRelativeL2 = 5e-3, int sampledRows = 0, uint32_t fixedSeed = 0,
                     const std::function<void(const LinearProblem &)> &inspect = {}) {
    const LinearKernelSpec &spec = linearTestKernel(name);
    if ((spec.skinny || spec.gemvTile.split > 1) && !supportsClusters(arch_))
      GTEST_SKIP() << "the skinny linear and the split-K GEMV need sm_90 (thread-block clusters)";
    if (spec.skinny && spec.skinnyTile.wgmma && arch_ != rt::GpuArch::kSm90a)
      GTEST_SKIP() << "the wgmma skinny linear needs sm_90a";
    StatusOr<LoadedKernel> loaded = compileAndLoad(spec.name, linearKernelSource(spec));
    ASSERT_TRUE(loaded.isOk()) << loaded.status().toString();
    uint32_t seed = 11;
    for (const Shape &shape : shapes) {
      SCOPED_TRACE(fmt::format("{} M={} N={} K={}", name, shape.m, shape.n, shape.k));
      LinearProblem problem(spec, shape.m, shape.n, shape.k, fixedSeed ? fixedSeed : seed += 7);
      Status ran = problem.run(*context_, *loaded->kernel, *stream_);
      ASSERT_TRUE(ran.isOk()) << ran.toString();
      if (inspect)
        inspect(problem);
      LinearError error =
          problem.check(sampledRows > 0 ? problem.sampledRows(sampledRows, seed) : std::vector<int>{});
      EXPECT_GT(error.checked, 0u);
      EXPECT_EQ(error.unwritten, 0u) << "elements of Y never written";
      EXPECT_EQ(error.bad, 0u) << error.bad << " of " << error.checked << " off; first: "
                               << error.firstBad;
      EXPECT_LT(error.relativeL2, maxRelativeL2);
    }
  }

  /// Row r's result must not depend on how many rows share the launch, nor on the run: the same
  /// first 17 rows of X give bit-identical outputs at M = 17, 64 and 128 (17 and 128 twice).
  void expectRowsIndependentOfRowCount(std::initializer_list<const char *> names) {
    const int n = 2048, k = 2048, rows = 17;
    for (const char *name : names) {
      std::vector<unsigned char> first;
      expectMatches(name, {{17, n, k}, {64, n, k}, {128, n, k}, {17, n, k}, {128, n, k}}, 5e-3, 0, 5,
                    [&](const LinearProblem &problem) {
                      std::vector<unsigned char> head(problem.output().begin(),
                                                      problem.output().begin() + size_t(rows) * n * 2);
                      if (first.empty())
                        first = head;
                      EXPECT_TRUE(head == first) << "rows 0..16 differ from the M = 17 run";
                    });
    }
  }
};

// Ragged M (1, 7, 33, 4095 are not multiples of the tile), N tails (264 = 2x128 + 8) and K tails
// (200 = 6x32 + 8) on every tile shape.
const std::vector<Shape> kRaggedShapes = {
    {1, 264, 200}, {7, 264, 200}, {33, 136, 328}, {128, 264, 512}, {4095, 136, 96}};

TEST_F(LinearGpuTest, GemmBf16Tile128x128MatchesReference) {
  expectMatches("gemm_bf16_128x128x32", kRaggedShapes);
}
TEST_F(LinearGpuTest, GemmBf16Tile128x256MatchesReference) {
  expectMatches("gemm_bf16_128x256x32", kRaggedShapes);
}
TEST_F(LinearGpuTest, GemmBf16Tile64x64x64MatchesReference) {
  expectMatches("gemm_bf16_64x64x64", kRaggedShapes);
}
TEST_F(LinearGpuTest, GemmF16WithF32OutputMatchesReference) {
  expectMatches("gemm_f16_f32out", kRaggedShapes, 1e-4);
}

TEST_F(LinearGpuTest, GemmLargeSampledRows) {
  expectMatches("gemm_bf16_128x256x32", {{8192, 4096, 4096}}, 5e-3, 48);
}

TEST_F(LinearGpuTest, GemmBiasGeluTanhResidual) {
  expectMatches("gemm_bias_gelutanh_residual", {{7, 264, 200}, {130, 520, 264}});
}
TEST_F(LinearGpuTest, GemmBiasGeluErf) {
  expectMatches("gemm_bias_geluerf", {{1, 72, 136}, {33, 264, 1000}});
}
TEST_F(LinearGpuTest, GemmSiluF16Output) {
  expectMatches("gemm_silu_f16out", {{33, 264, 200}, {200, 64, 64}});
}
TEST_F(LinearGpuTest, GemmGatedSilu) {
  expectMatches("gemm_gated_silu", {{1, 264, 200}, {33, 200, 264}, {300, 512, 1024}});
}
TEST_F(LinearGpuTest, GemmRmsNormPrologue) {
  expectMatches("gemm_rmsnorm", {{1, 264, 200}, {33, 136, 2048}, {257, 264, 512}});
}
TEST_F(LinearGpuTest, GemmRmsNormPrologueGated) {
  expectMatches("gemm_rmsnorm_gated", {{7, 200, 520}, {129, 264, 1024}});
}

// Decode shapes: M 1..16 (19 takes two grid rows), N tails (264 = 16x16 + 8), K tails
// (1000 is no multiple of the 64-column step).
const std::vector<Shape> kDecodeShapes = {
    {1, 264, 1000}, {4, 264, 1000}, {7, 512, 2048}, {16, 264, 1000}, {19, 136, 512}};

TEST_F(LinearGpuTest, GemvBf16MaxM16) { expectMatches("gemv_bf16_m16", kDecodeShapes); }
TEST_F(LinearGpuTest, GemvBf16MaxM8TwoWarps) { expectMatches("gemv_bf16_m8_2warps", kDecodeShapes); }
TEST_F(LinearGpuTest, GemvBf16MaxM8TwoRowTiles) {
  expectMatches("gemv_bf16_m8_rows2", kDecodeShapes);
}
TEST_F(LinearGpuTest, GemvF16WithF32Output) {
  expectMatches("gemv_f16_f32out", kDecodeShapes, 1e-4);
}
TEST_F(LinearGpuTest, GemvLarge) { expectMatches("gemv_bf16_m16", {{16, 4096, 4096}}); }
TEST_F(LinearGpuTest, GemvBiasGeluErfResidual) {
  expectMatches("gemv_bias_geluerf_residual", {{1, 264, 1000}, {16, 512, 2048}});
}
TEST_F(LinearGpuTest, GemvGatedSilu) {
  expectMatches("gemv_gated_silu", {{1, 264, 1000}, {5, 512, 2048}, {16, 136, 512}});
}
TEST_F(LinearGpuTest, GemvRmsNormPrologueGated) {
  expectMatches("gemv_rmsnorm_gated", {{1, 264, 1000}, {8, 512, 2048}});
}
TEST_F(LinearGpuTest, GemvRmsNormBiasSilu) {
  expectMatches("gemv_rmsnorm_bias_silu", {{3, 264, 1000}, {16, 520, 2048}});
}
// The model's decode tiles; K = 2048 and 8192 as in Llama-3.2-1B (QKV, o_proj / down), K tails,
// 1 to 16 rows (19: two grid rows).
TEST_F(LinearGpuTest, GemvModelTileRmsNorm) {
  expectMatches("gemv_model_rmsnorm", {{1, 3072, 2048}, {16, 264, 1000}, {19, 136, 512}});
}
TEST_F(LinearGpuTest, GemvModelTileResidual) {
  expectMatches("gemv_model_residual", {{1, 2048, 8192}, {4, 264, 1000}, {16, 512, 2048}});
}
TEST_F(LinearGpuTest, GemvModelTileRmsNormGated) {
  expectMatches("gemv_model_rmsnorm_gated", {{1, 512, 2048}, {16, 264, 1000}});
}
// The MAX_M 8 copies: 1 to 8 rows (9: two grid rows), the model's K, K and N tails.
TEST_F(LinearGpuTest, GemvModelMaxM8RmsNorm) {
  expectMatches("gemv_model8_rmsnorm", {{1, 3072, 2048}, {5, 264, 1000}, {8, 512, 2048}, {9, 136, 512}});
}
TEST_F(LinearGpuTest, GemvModelMaxM8Residual) {
  expectMatches("gemv_model8_residual", {{1, 2048, 8192}, {3, 264, 1000}, {8, 2048, 2048}, {9, 136, 512}});
}
TEST_F(LinearGpuTest, GemvModelMaxM8RmsNormGated) {
  expectMatches("gemv_model8_rmsnorm_gated", {{1, 8192, 2048}, {7, 264, 1000}, {8, 512, 2048}});
}

// Split K over a cluster: the ranks' sums reduced in rank order by rank 0, then the row scale,
// gating and epilogue once. M 1..16 (9 and 19: two grid rows), N tails (264, 136: not multiples of
// the 16 or 32 outputs of a tile), K tails (1000: no multiple of any rank's share; split 8 leaves
// ranks without a K step), the model's K = 2048 and 8192.
TEST_F(LinearGpuTest, GemvSplit2MaxM8) {
  expectMatches("gemv_split2_m8", {{1, 3072, 2048}, {5, 264, 1000}, {8, 512, 2048}, {9, 136, 512}});
}
TEST_F(LinearGpuTest, GemvSplit3TwoRowTiles) { expectMatches("gemv_split3_m16_rows2", kDecodeShapes); }
TEST_F(LinearGpuTest, GemvSplit2F16WithF32Output) {
  expectMatches("gemv_split2_f16_f32out", kDecodeShapes, 1e-4);
}
TEST_F(LinearGpuTest, GemvSplit2RmsNorm) {
  expectMatches("gemv_split2_rmsnorm", {{1, 3072, 2048}, {3, 264, 1000}, {8, 136, 512}, {9, 264, 200}});
}
TEST_F(LinearGpuTest, GemvSplit4RmsNormGated) {
  expectMatches("gemv_split4_rmsnorm_gated", {{1, 512, 8192}, {7, 264, 1000}, {8, 512, 2048}});
}
TEST_F(LinearGpuTest, GemvSplit2GatedSilu) {
  expectMatches("gemv_split2_gated_silu", {{1, 264, 1000}, {5, 512, 2048}, {16, 136, 512}});
}
TEST_F(LinearGpuTest, GemvSplit8Residual) {
  expectMatches("gemv_split8_residual", {{1, 512, 8192}, {4, 264, 1000}, {8, 2048, 2048}, {9, 136, 512}});
}
TEST_F(LinearGpuTest, GemvSplit4BiasGeluErfResidual) {
  expectMatches("gemv_split4_bias_geluerf_residual", {{1, 264, 1000}, {8, 512, 2048}});
}
// A row's result must not depend on how many rows share the launch: the same first row of X gives
// bit-identical outputs at M = 1, 8 and 5 (1 twice), split or not.
TEST_F(LinearGpuTest, GemvSplitRowsIndependentOfRowCount) {
  for (const char *name : {"gemv_split2_rmsnorm", "gemv_split4_rmsnorm_gated", "gemv_model8_rmsnorm"}) {
    std::vector<unsigned char> first;
    expectMatches(name, {{1, 512, 2048}, {8, 512, 2048}, {5, 512, 2048}, {1, 512, 2048}}, 5e-3, 0, 5,
                  [&](const LinearProblem &problem) {
                    const size_t rowBytes = 512 * 2; // row 0 of the bf16 Y
                    std::vector<unsigned char> head(problem.output().begin(), problem.output().begin() + rowBytes);
                    if (first.empty())
                      first = head;
                    EXPECT_TRUE(head == first) << name << ": row 0 differs from the M = 1 run";
                  });
  }
}

// The skinny linear: 17..128 rows (129 and 200 take two grid z slices), N tails (264, 200: not
// multiples of the 128 or 64 outputs of a CTA), K tails (1000, 328: not multiples of the 128-column
// chunk, and ranks with an empty K range at split 8), the model's K = 2048 and 8192.
const std::vector<Shape> kSkinnyShapes = {{17, 264, 1000}, {24, 2048, 2048}, {64, 200, 328},
                                          {100, 3072, 2048}, {128, 512, 8192}, {129, 136, 512},
                                          {200, 264, 96}};

TEST_F(LinearGpuTest, SkinnySplit8) { expectMatches("skinny_bf16_split8", kSkinnyShapes); }
TEST_F(LinearGpuTest, SkinnySplit1) { expectMatches("skinny_bf16_split1", kSkinnyShapes); }
TEST_F(LinearGpuTest, SkinnyMaxM64UnevenSplit5TwoStages) {
  expectMatches("skinny_bf16_m64_split5_2stages", kSkinnyShapes);
}
TEST_F(LinearGpuTest, SkinnyMaxM64FourStages) { expectMatches("skinny_bf16_m64_4stages", kSkinnyShapes); }
TEST_F(LinearGpuTest, SkinnyF16WithF32Output) {
  expectMatches("skinny_f16_f32out", kSkinnyShapes, 1e-4);
}
TEST_F(LinearGpuTest, SkinnyResidual) {
  expectMatches("skinny_residual", {{64, 2048, 8192}, {17, 264, 1000}, {128, 2048, 2048}});
}
TEST_F(LinearGpuTest, SkinnyBiasGeluErfResidual) {
  expectMatches("skinny_bias_geluerf_residual", {{33, 264, 1000}, {128, 520, 2048}});
}
TEST_F(LinearGpuTest, SkinnyRmsNorm) {
  expectMatches("skinny_rmsnorm", {{64, 3072, 2048}, {17, 264, 1000}, {128, 136, 328}});
}
TEST_F(LinearGpuTest, SkinnyRmsNormGated) {
  expectMatches("skinny_rmsnorm_gated", {{64, 1024, 2048}, {24, 200, 1000}, {128, 136, 512}});
}
TEST_F(LinearGpuTest, SkinnyGatedSplit4) {
  expectMatches("skinny_gated_split4", {{64, 512, 2048}, {100, 200, 1000}});
}

TEST_F(LinearGpuTest, SkinnyRowsIndependentOfRowCount) {
  expectRowsIndependentOfRowCount({"skinny_bf16_split8", "skinny_rmsnorm"});
}

// The wgmma skinny linear (loom/gemm_sm90_skinny.cuh): the cases above on its kernels.
TEST_F(LinearGpuTest, SkinnyWgmmaSplit8) { expectMatches("skinny_wg_split8", kSkinnyShapes); }
TEST_F(LinearGpuTest, SkinnyWgmmaSplit1) { expectMatches("skinny_wg_split1", kSkinnyShapes); }
TEST_F(LinearGpuTest, SkinnyWgmmaMaxM64Split5FourStages) {
  expectMatches("skinny_wg_m64_split5_4stages", kSkinnyShapes);
}
TEST_F(LinearGpuTest, SkinnyWgmmaResidual) {
  expectMatches("skinny_wg_residual", {{64, 2048, 8192}, {17, 264, 1000}, {128, 2048, 2048}});
}
TEST_F(LinearGpuTest, SkinnyWgmmaBiasGeluErfResidual) {
  expectMatches("skinny_wg_bias_geluerf_residual", {{33, 264, 1000}, {128, 520, 2048}});
}
TEST_F(LinearGpuTest, SkinnyWgmmaRmsNorm) {
  expectMatches("skinny_wg_rmsnorm", {{64, 3072, 2048}, {17, 264, 1000}, {128, 136, 328}});
}
TEST_F(LinearGpuTest, SkinnyWgmmaRmsNormGated) {
  expectMatches("skinny_wg_rmsnorm_gated", {{64, 1024, 2048}, {24, 200, 1000}, {128, 136, 512}});
  expectMatches("skinny_wg_m64_rmsnorm_gated_split4", {{64, 1024, 2048}, {24, 200, 1000}, {100, 136, 512}});
}
TEST_F(LinearGpuTest, SkinnyWgmmaGatedSplit4) {
  expectMatches("skinny_wg_gated_split4", {{64, 512, 2048}, {100, 200, 1000}});
}
TEST_F(LinearGpuTest, SkinnyWgmmaRowsIndependentOfRowCount) {
  expectRowsIndependentOfRowCount({"skinny_wg_split8", "skinny_wg_rmsnorm"});
}

} // namespace
} // namespace loom::testing

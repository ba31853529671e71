// The tiling cost model: launch limits, wave quantization, the GEMV/GEMM/wgmma choice.
#include "compiler/Transforms/Tile/CostModel.h"
#include "compiler/Transforms/Tile/MmaAtoms.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/MLIRContext.h"

#include <gtest/gtest.h>

namespace {

using namespace loom::tile;

/// A GEMM of at most m rows; rowsAbove: the rows its GEMV/skinny copies take (tile-tiling's
/// loom.rows_above), 0 when it runs every step.
KernelShape gemmShape(mlir::Type operand, int64_t m, int64_t n, int64_t k, int64_t rowsAbove = 0) {
  KernelShape shape;
  shape.rowsAbove = rowsAbove;
  shape.family = KernelFamily::kGemm;
  shape.rows = "tokens";
  shape.rowsBound = m;
  shape.n = n;
  shape.k = k;
  shape.operand = operand;
  return shape;
}

TEST(CostModel, SharedMemoryAboveTheTargetCannotLaunch) {
  TileConfig config;
  config.threads = 256;
  config.sharedBytes = 120000;
  config.registersEstimate = 64;
  EXPECT_EQ(launchProblem(config, *findGpuTarget("sm_90a")), "");
  EXPECT_EQ(launchProblem(config, *findGpuTarget("sm_89")),
            "120000 bytes of shared memory exceed sm_89's 101376");
  config.threads = 2048;
  EXPECT_EQ(launchProblem(config, *findGpuTarget("sm_90a")), "2048 threads exceed 1024");
}

TEST(CostModel, EveryChosenGemmConfigFitsItsTarget) {
  mlir::MLIRContext context;
  mlir::Builder b(&context);
  for (const GpuTarget &target : gpuTargets())
    for (int64_t m : {1, 8, 16, 300, 4096}) {
      auto candidates = candidateConfigs(gemmShape(b.getBF16Type(), m, 4096, 4096), target);
      ASSERT_FALSE(candidates.empty()) << target.name.str() << " M=" << m;
      bool someFit = false;
      for (const TileConfig &config : candidates)
        someFit |= launchProblem(config, target).empty();
      EXPECT_TRUE(someFit) << target.name.str() << " M=" << m;
    }
}

TEST(CostModel, SmallMTakesGemvAndSm90aTakesWgmma) {
  mlir::MLIRContext context;
  mlir::Builder b(&context);
  auto small = candidateConfigs(gemmShape(b.getBF16Type(), 8, 8192, 2048), *findGpuTarget("sm_80"));
  ASSERT_FALSE(small.empty());
  for (const TileConfig &config : small)
    EXPECT_EQ(config.values.at("max_m"), 8);
  auto large = candidateConfigs(gemmShape(b.getBF16Type(), 4096, 4096, 4096), *findGpuTarget("sm_90a"));
  ASSERT_FALSE(large.empty());
  for (const TileConfig &config : large)
    EXPECT_EQ(config.values.count("consumers"), 1u);
}

/// The warps of the fastest launchable GEMV configuration the cost model gives `shape`.
int64_t fastestGemvWarps(const KernelShape &shape, const GpuTarget &target) {
  const TileConfig *best = nullptr;
  auto candidates = candidateConfigs(shape, target);
  for (const TileConfig &config : candidates)
    if (launchProblem(config, target).empty() && (!best || config.seconds < best->seconds))
      best = &config;
  return best ? best->values.at("warps") : 0;
}

TEST(CostModel, GemvCtasFillOneWaveWhereTheyCan) {
  // H100, 132 SMs, 16-row CTAs (docs/perf-baseline.md, session 7). 192 CTAs: 16 warps (one CTA
  // per SM) are 1.45 waves, 8 warps (two per SM) one. 128 CTAs: one wave at 16 warps already, the
  // most loads in flight. A gated 2 x 8192: 512 CTAs, one wave only at 4 warps (four per SM with
  // the gated registers). 8016 CTAs (an LM head): many waves whatever the warps, so bandwidth
  // decides and the first-listed 16 warps stay.
  mlir::MLIRContext context;
  mlir::Builder b(&context);
  const GpuTarget &h100 = *findGpuTarget("sm_90a");
  EXPECT_EQ(fastestGemvWarps(gemmShape(b.getBF16Type(), 16, 3072, 2048), h100), 8);
  EXPECT_EQ(fastestGemvWarps(gemmShape(b.getBF16Type(), 16, 2048, 2048), h100), 16);
  EXPECT_EQ(fastestGemvWarps(gemmShape(b.getBF16Type(), 16, 2048, 8192), h100), 16);
  KernelShape gated = gemmShape(b.getBF16Type(), 16, 8192, 2048);
  gated.gating = 2;
  EXPECT_EQ(fastestGemvWarps(gated, h100), 4);
  EXPECT_EQ(fastestGemvWarps(gemmShape(b.getBF16Type(), 16, 128256, 2048), h100), 16);
}

TEST(CostModel, WaveQuantizationPenalizesAPartialWave) {
  // 132 SMs, one CTA each: at the bound, 132 tiles are one wave and 133 tiles two. The estimate
  // averages the 9 row counts the guard leaves the GEMM (256 ... 16384 and the bound, each over
  // its own floor), so the bound's doubled math shows as a 1.7% step, where 1/132 more rows
  // without quantization would add under 0.1%.
  mlir::MLIRContext context;
  mlir::Builder b(&context);
  const GpuTarget &h100 = *findGpuTarget("sm_90a");
  std::map<std::string, int64_t> tile = {{"bm", 128}, {"bn", 256}, {"stages", 4}, {"consumers", 2}, {"group_m", 8}};
  auto oneWave = completeConfig(gemmShape(b.getBF16Type(), 128 * 132, 256, 8192, 128), h100, tile);
  auto twoWaves = completeConfig(gemmShape(b.getBF16Type(), 128 * 133, 256, 8192, 128), h100, tile);
  ASSERT_TRUE(mlir::succeeded(oneWave) && mlir::succeeded(twoWaves));
  EXPECT_GT(twoWaves->seconds, 1.012 * oneWave->seconds);
}

/// The configuration tile-tiling takes: the fastest estimate that launches, ties to the first.
TileConfig chosenConfig(const KernelShape &shape, const GpuTarget &target) {
  TileConfig best;
  best.seconds = 1e9;
  for (const TileConfig &config : candidateConfigs(shape, target))
    if (launchProblem(config, target).empty() && config.seconds < best.seconds)
      best = config;
  return best;
}

TEST(CostModel, GemvMaxM8CopyFollowsTheSameWaves) {
  // The decode GEMV copy of at most 8 rows (MAX_M 8 configurations) on the H100: QKV's 192 CTAs
  // one wave at 8 warps, o_proj/down's 128 at 16 warps, gated gate/up's 512 at 4 warps of one row
  // tile (four CTAs per SM), not two row tiles (256 CTAs; gated row tiles measured slower).
  mlir::MLIRContext context;
  mlir::Builder b(&context);
  const GpuTarget &h100 = *findGpuTarget("sm_90a");
  auto chosen = [&](const KernelShape &shape) {
    TileConfig best = chosenConfig(shape, h100);
    return std::array{best.values["max_m"], best.values["warps"], best.values["row_tiles"]};
  };
  using Choice = std::array<int64_t, 3>;
  EXPECT_EQ(chosen(gemmShape(b.getBF16Type(), 8, 3072, 2048)), (Choice{8, 8, 1}));
  EXPECT_EQ(chosen(gemmShape(b.getBF16Type(), 8, 2048, 2048)), (Choice{8, 16, 1}));
  EXPECT_EQ(chosen(gemmShape(b.getBF16Type(), 8, 2048, 8192)), (Choice{8, 16, 1}));
  KernelShape gated = gemmShape(b.getBF16Type(), 8, 8192, 2048);
  gated.gating = 2;
  EXPECT_EQ(chosen(gated), (Choice{8, 4, 1}));
}

TEST(CostModel, GemmTilesAreScoredOverTheRowsTheGuardLeavesThem) {
  // Llama-3.2-1B's QKV (N 3072, K 2048) with 2048 tokens per step: the GEMM runs 129..2048
  // rows (the skinny copy takes 17..128). 192x128 tiles are one exact 2-wave fill at 2048 rows
  // (264 tiles) but at 1024 rows 144 tiles make 2 waves of 1.5x larger tiles than 128x128's
  // 192; scored over 256..2048 rows, 128x128 wins.
  mlir::MLIRContext context;
  mlir::Builder b(&context);
  const GpuTarget &h100 = *findGpuTarget("sm_90a");
  TileConfig qkv = chosenConfig(gemmShape(b.getBF16Type(), 2048, 3072, 2048, 128), h100);
  EXPECT_EQ(qkv.values["bm"], 128);
  EXPECT_EQ(qkv.values["bn"], 128);
  auto tall = completeConfig(gemmShape(b.getBF16Type(), 2048, 3072, 2048, 128), h100,
                             {{"bm", 192}, {"bn", 128}, {"stages", 3}, {"consumers", 3}, {"group_m", 16}});
  ASSERT_TRUE(mlir::succeeded(tall));
  EXPECT_GT(tall->seconds, 1.15 * qkv.seconds);
}

TEST(CostModel, AnIncompleteGemmConfigFailsInsteadOfAborting) {
  mlir::MLIRContext context;
  mlir::Builder b(&context);
  KernelShape shape = gemmShape(b.getBF16Type(), 2048, 3072, 2048);
  const GpuTarget &h100 = *findGpuTarget("sm_90a");
  EXPECT_TRUE(mlir::failed(completeConfig(shape, h100, {{"bm", 128}, {"bn", 128}})));
  EXPECT_TRUE(mlir::failed(completeConfig(shape, h100, {{"max_m", 16}, {"warps", 16}})));
  EXPECT_TRUE(mlir::failed(completeConfig(shape, h100, {{"consumers", 2}, {"bm", 128}})));
  // Without group_m the emitter would pass 0 and NVRTC would stop at gemm_sm90.cuh's assert.
  EXPECT_TRUE(mlir::failed(
      completeConfig(shape, h100, {{"bm", 128}, {"bn", 128}, {"stages", 3}, {"consumers", 2}})));
  EXPECT_TRUE(mlir::succeeded(
      completeConfig(shape, h100, {{"bm", 128}, {"bn", 128}, {"stages", 3}, {"consumers", 2}, {"group_m", 16}})));
}

TEST(MmaAtoms, NoAtomForF32SaysWhy) {
  mlir::MLIRContext context;
  mlir::Builder b(&context);
  std::string why;
  EXPECT_EQ(selectMmaAtom(*findGpuTarget("sm_80"), b.getF32Type(), false, why), nullptr);
  EXPECT_EQ(why, "no MMA atom for sm_80 with f32 operands");
  EXPECT_EQ(selectMmaAtom(*findGpuTarget("sm_90a"), b.getBF16Type(), false, why)->name,
            "wgmma.m64nNk16.bf16");
  EXPECT_EQ(selectMmaAtom(*findGpuTarget("sm_90"), b.getBF16Type(), false, why)->name,
            "mma.sync.m16n8k16.bf16");
  // The RMSNorm prologue (row scale) runs on the wgmma GEMM too; sm_80 keeps mma.sync.
  EXPECT_EQ(selectMmaAtom(*findGpuTarget("sm_90a"), b.getBF16Type(), true, why)->name,
            "wgmma.m64nNk16.bf16");
  EXPECT_EQ(selectMmaAtom(*findGpuTarget("sm_80"), b.getBF16Type(), true, why)->name,
            "mma.sync.m16n8k16.bf16");
  EXPECT_EQ(selectMmaAtom(*findGpuTarget("sm_80"), b.getF32Type(), true, why), nullptr);
  EXPECT_EQ(why, "no MMA atom for sm_80 with f32 operands and a row-scale prologue");
}

} // namespace

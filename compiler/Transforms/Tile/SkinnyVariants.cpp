// SkinnyVariants: cloning GEMM kernels into their skinny variant and guarding the launches.
//
// How it works: at 17..128 rows a GEMM tile leaves most SMs idle (M = 64, N = 2048: 8-16 tiles
// for 132 SMs) and the GEMV's 16-row tiles would re-read W per 16 rows. The copy carries
// loom.max_rows = 128, so the tiling pass sizes it with skinnyConfig (W streamed once by 128-row
// CTAs, the K split over a cluster); the launch guards pick GEMV, skinny or GEMM per step from the
// step's rows (docs/package.md "program").
#include "compiler/Transforms/Tile/SkinnyVariants.h"

#include "compiler/Transforms/Tile/GemvVariants.h"
#include "compiler/Transforms/Tile/MmaAtoms.h"
#include "compiler/Transforms/Tile/SimtFallback.h"
#include "compiler/Transforms/Tile/SkinnySharedBytes.h"

#include <algorithm>

namespace loom::tile {

namespace {

/// Device-library constants of loom::SkinnyConfig (loom/gemm_skinny.cuh); the shared-memory ones
/// are in SkinnySharedBytes.h.
constexpr int64_t kWeightRowsPerCta = kSkinnyWeightRowsPerCta, kThreads = 256, kStages = 3;
constexpr int64_t kMaxSplit = 8; // a portable cluster

/// Device-library constants of loom::sm90::SkinnySm90Config (loom/gemm_sm90_skinny.cuh): two
/// consumer warpgroups of 64 W rows and a producer warp, 64-column K blocks. X arrives in boxes
/// of kWgmmaSkinnyXBoxRows rows (MAX_M / 64 per stage; "bm" is the descriptor's box).
constexpr int64_t kWgmmaThreads = 288, kWgmmaBlockK = 64;

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

/// Whether the skinny GEMM of `shape` runs on wgmma (loom/gemm_sm90_skinny.cuh): sm_90a, TMA and
/// an operand type whose atom is a wgmma (bf16).
bool usesWgmma(const KernelShape &shape, const GpuTarget &target) {
  std::string why;
  const MmaAtom *atom = selectMmaAtom(target, shape.operand, shape.rowScale, why);
  return atom && atom->needsWgmma && target.hasTma;
}

/// As many K ranges per column block as fill the SMs once, at most a portable cluster, then
/// shrunk to the ranges of whole `chunk`-column pieces that get any (5 over 16 chunks: 4 of 4).
int64_t splitRule(int64_t columnBlocks, int64_t k, int64_t chunk, const GpuTarget &target) {
  int64_t split = std::clamp<int64_t>(target.multiprocessors / columnBlocks, 1, kMaxSplit);
  const int64_t perRank = ceilDiv(k, split * chunk) * chunk;
  return ceilDiv(k, perRank);
}

/// The largest split from `split` down to half of it that gives every rank the same number of
/// `chunk`-column pieces, else `split` (QKV, 32 blocks: 4 ranges of 8 instead of 5 of 7, 7, 7, 7, 4,
/// measured 1.2-2 us faster at M 24..128, docs/perf-gemm.md session 7).
int64_t balancedSplit(int64_t split, int64_t k, int64_t chunk) {
  const int64_t pieces = ceilDiv(k, chunk);
  for (int64_t candidate = split; 2 * candidate >= split && candidate > 1; --candidate)
    if (pieces % candidate == 0)
      return candidate;
  return split;
}

/// The wgmma skinny configuration: MAX_M 64 or 128 (the wgmma N), the balanced split rule in
/// 64-column blocks, and the deepest ring that leaves two CTAs per SM when the CTAs form clusters (a
/// cluster of one-CTA-per-SM CTAs must find SPLIT free SMs in one GPC: measured 1.3-1.4x slower,
/// docs/perf-gemm.md session 7), else 4 stages (gate/up, split 1: measured 10% faster than 3).
TileConfig wgmmaSkinnyConfig(const KernelShape &shape, const GpuTarget &target) {
  const int64_t maxM = shape.rowsBound <= 64 ? 64 : 128;
  const int64_t columnBlocks = ceilDiv(shape.n, kWeightRowsPerCta / shape.gating);
  const int64_t split = balancedSplit(splitRule(columnBlocks, shape.k, kWgmmaBlockK, target), shape.k, kWgmmaBlockK);
  auto sharedBytes = [&](int64_t stages) { return wgmmaSkinnySharedBytes(maxM, stages); };
  int64_t stages = 4;
  if (split > 1)
    while (stages > 2 && sharedBytes(stages) + shape.staticSharedBytes > target.sharedBytesPerSm / 2 - 1024)
      --stages;
  TileConfig config;
  config.values = {{"max_m", maxM}, {"split", split}, {"ring", stages}, {"consumers", 2},
                   {"bm", kWgmmaSkinnyXBoxRows}, {"bn", kWeightRowsPerCta}};
  config.threads = int(kWgmmaThreads);
  config.sharedBytes = int(sharedBytes(stages));
  config.registersEstimate = int(40 + maxM / 2);
  return config;
}

} // namespace

std::string skinnyProblem(const KernelShape &shape, const GpuTarget &target) {
  if (shape.family != KernelFamily::kGemm)
    return "not a GEMM";
  if (shape.rowsBound <= kGemvMaxRows)
    return "its rows are bounded by " + std::to_string(shape.rowsBound) + ", so it is a GEMV";
  if (target.sm < 90)
    return "its split-K reduction needs thread-block clusters (sm_90), not " + target.name.str();
  // 16-byte rows and an MMA operand type, as the other tensor-core families.
  return simtGemmReason(shape, target);
}

TileConfig skinnyConfig(const KernelShape &shape, const GpuTarget &target) {
  const int64_t columnBlocks = ceilDiv(shape.n, kWeightRowsPerCta / shape.gating);
  TileConfig config;
  if (usesWgmma(shape, target)) {
    config = wgmmaSkinnyConfig(shape, target);
  } else {
    // One CTA per SM (the ring takes most of the shared memory); 128-column chunks.
    const int64_t maxM = std::min(kSkinnyMaxRows, ceilDiv(shape.rowsBound, 16) * 16);
    const int64_t split = splitRule(columnBlocks, shape.k, kSkinnyChunk, target);
    config.values = {{"max_m", maxM}, {"split", split}, {"ring", kStages}, {"bm", maxM},
                     {"bn", kWeightRowsPerCta / shape.gating}};
    config.threads = int(kThreads);
    config.sharedBytes = int(skinnySharedBytes(maxM, kStages));
    config.registersEstimate = int(48 + 4 * (maxM / 8));
  }
  config.staticSharedBytes = int(shape.staticSharedBytes);
  const int64_t maxM = config.values.at("max_m"), split = config.values.at("split");
  config.grid = {std::to_string(columnBlocks), std::to_string(split),
                 maxM >= shape.rowsBound ? "1" : "ceildiv(" + shape.rows + ", " + std::to_string(maxM) + ")"};
  // W streamed once by columnBlocks x split CTAs; idle SMs stretch the stream.
  double bytes = double(shape.gating * shape.n * shape.k) * 2.0;
  double busy = std::min<double>(1.0, double(columnBlocks * split) / double(target.multiprocessors));
  config.seconds = std::max(bytes / target.memoryBytesPerSecond / busy,
                            2.0 * double(maxM * shape.gating * shape.n * shape.k) / target.tensorFlopsPerSecond);
  return config;
}

void addSkinnyVariants(mlir::ModuleOp module, const GpuTarget &target, bool explain) {
  RowVariantRule rule{
      "skinny", kSkinnyMaxRows, "skinny variant",
      [&](const KernelShape &shape) -> std::string {
        std::string problem = skinnyProblem(shape, target);
        if (problem.empty() && shape.rowsBound <= kSkinnyMaxRows)
          return "its rows are bounded by " + std::to_string(shape.rowsBound) +
                 ", so tile-tiling makes the GEMM itself skinny";
        return problem;
      },
      // The GEMV variant's `<rows> > 16` is implied by `<rows> > 128` on the GEMM's launch.
      [](const KernelShape &shape, llvm::StringRef existing) {
        return cappedGuards(shape.rows, existing, kGemvMaxRows, kSkinnyMaxRows);
      }};
  addRowVariants(module, rule, explain);
}

} // namespace loom::tile

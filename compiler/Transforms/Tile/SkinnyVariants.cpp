// SkinnyVariants: cloning GEMM kernels into their skinny variant and guarding the launches.
//
// How it works: at 17..128 rows a GEMM tile leaves most SMs idle (M = 64, N = 2048: 8-16 tiles
// for 132 SMs) and the GEMV's 16-row tiles would re-read W per 16 rows. The copy carries
// loom.max_rows = 128, so the tiling pass sizes it with skinnyConfig (W streamed once by 128-row
// CTAs, the K split over a cluster); the launch guards pick GEMV, skinny or GEMM per step from the
// step's rows (docs/package.md "program").
#include "compiler/Transforms/Tile/SkinnyVariants.h"

#include "compiler/Transforms/Tile/GemvVariants.h"
#include "compiler/Transforms/Tile/SimtFallback.h"


#include <algorithm>

namespace loom::tile {

namespace {

/// Device-library constants of loom::SkinnyConfig (loom/gemm_skinny.cuh).
constexpr int64_t kWeightRowsPerCta = 128, kChunk = 128, kThreads = 256, kStages = 3;
constexpr int64_t kMaxSplit = 8; // a portable cluster

int64_t ceilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

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
  const int64_t maxM = std::min(kSkinnyMaxRows, ceilDiv(shape.rowsBound, 16) * 16);
  const int64_t outputs = kWeightRowsPerCta / shape.gating;
  const int64_t columnBlocks = ceilDiv(shape.n, outputs);
  // One CTA per SM (the ring takes most of the shared memory): as many K ranges per column
  // block as fill the SMs once, at most a portable cluster; ranges are whole 128-column chunks,
  // so the split is then shrunk to the ranges that get any (5 over 16 chunks: 4 of 4 chunks).
  int64_t split = std::clamp<int64_t>(target.multiprocessors / columnBlocks, 1, kMaxSplit);
  const int64_t perRank = ceilDiv(shape.k, split * kChunk) * kChunk;
  split = ceilDiv(shape.k, perRank);
  TileConfig config;
  config.values = {{"max_m", maxM}, {"split", split}, {"ring", kStages}, {"bm", maxM}, {"bn", outputs}};
  config.threads = int(kThreads);
  int64_t ring = kStages * (kWeightRowsPerCta + maxM) * kChunk * 2;
  int64_t partial = maxM * (kWeightRowsPerCta + 4) * 4;
  config.sharedBytes = int(std::max(ring, partial) + 4 * maxM);
  config.registersEstimate = int(48 + 4 * (maxM / 8));
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
      [](const KernelShape &shape, llvm::StringRef existing) {
        const std::string cap = std::to_string(kSkinnyMaxRows);
        std::string copy = (existing.empty() ? "" : (existing + " && ").str()) + shape.rows + " <= " + cap;
        // The GEMV variant's `<rows> > 16` is implied by `<rows> > 128` on the GEMM's launch.
        llvm::StringRef rest = existing;
        std::string gemm = rest.consume_back(shape.rows + " > " + std::to_string(kGemvMaxRows))
                               ? rest.str()
                               : (existing.empty() ? "" : (existing + " && ").str());
        return std::pair{copy, gemm + shape.rows + " > " + cap};
      }};
  addRowVariants(module, rule, explain);
}

} // namespace loom::tile

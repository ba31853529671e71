// SimtFallback: the rules that send a GEMM to loom/gemm_simt.cuh, and its tile table.
#include "compiler/Transforms/Tile/SimtFallback.h"

#include "compiler/Transforms/Tile/MmaAtoms.h"
#include "dialects/Tile/IR/TensorCoreOperands.h"

#include "llvm/ADT/StringExtras.h"

#include <limits>

namespace loom::tile {

namespace {

/// One reason the tensor-core GEMMs (loom/gemm.cuh, loom/gemv.cuh, loom/gemm_sm90.cuh) cannot
/// take a shape: `why` returns the reason, or "" when the rule does not apply.
struct FallbackRule {
  std::string (*why)(const KernelShape &shape, const GpuTarget &target);
};

const FallbackRule kGemmFallbackRules[] = {
    {[](const KernelShape &shape, const GpuTarget &target) {
      std::string why;
      return selectMmaAtom(target, shape.operand, shape.rowScale, why) ? std::string() : why;
    }},
    // The tensor-core families copy X and W rows (and store Y rows) in 16-byte chunks; graph-fuse
    // reads the same rules (TensorCoreOperands.h).
    {[](const KernelShape &shape, const GpuTarget &) { return reductionAlignmentProblem(shape.k); }},
    {[](const KernelShape &shape, const GpuTarget &) { return outputAlignmentProblem(shape.n); }},
};

/// Decode-sized M takes one row per thread row, larger M a 64 x 64 tile.
constexpr SimtTile kSimtTiles[] = {
    {16, 16, 64, 16, 1, 4},
    {std::numeric_limits<int64_t>::max(), 64, 64, 16, 4, 4},
};

std::string ceilDivExpr(const std::string &a, int64_t b) {
  return b == 1 ? a : "ceildiv(" + a + ", " + std::to_string(b) + ")";
}

} // namespace

std::string simtGemmReason(const KernelShape &shape, const GpuTarget &target) {
  if (shape.family != KernelFamily::kGemm)
    return "";
  llvm::SmallVector<std::string> reasons;
  for (const FallbackRule &rule : kGemmFallbackRules)
    if (std::string why = rule.why(shape, target); !why.empty())
      reasons.push_back(why);
  return llvm::join(reasons, "; ");
}

const SimtTile &simtGemmTile(int64_t rowsBound) {
  return *llvm::find_if(kSimtTiles, [&](const SimtTile &t) { return rowsBound <= t.maxRows; });
}

TileConfig simtGemmConfig(const KernelShape &shape) {
  const SimtTile *tile = &simtGemmTile(shape.rowsBound);
  TileConfig config;
  config.values = {{kSimtConfigKey.str(), 1}, {"bm", tile->bm}, {"bn", tile->bn},
                   {"bk", tile->bk},          {"tm", tile->tm}, {"tn", tile->tn}};
  config.threads = tile->threads();
  config.sharedBytes = 0; // static tiles
  config.registersEstimate = int(40 + shape.gating * tile->tm * tile->tn * 2);
  int64_t tilesN = (shape.n + tile->bn - 1) / tile->bn;
  config.grid = {ceilDivExpr(shape.rows, tile->bm) + " * " + std::to_string(tilesN), "1", "1"};
  return config;
}

} // namespace loom::tile

// SimtFallback: when a kernel must run a CUDA-core fallback instead of a tensor-core family, and
// the configuration of the SIMT GEMM (loom/gemm_simt.cuh).
#pragma once

#include "compiler/Transforms/Tile/CostModel.h"

namespace loom::tile {

/// The discardable tile.kernel attribute saying why the kernel runs a CUDA-core fallback
/// (loom/gemm_simt.cuh, loom/attention_simt.cuh) rather than a tensor-core family.
inline constexpr llvm::StringLiteral kFallbackAttrName = "loom.fallback";
/// The `atom` of a tile.dot lowered to the SIMT GEMM: f32 FMAs on CUDA cores.
inline constexpr llvm::StringLiteral kSimtAtomName = "simt.fma.f32";
/// The config key marking a SIMT GEMM configuration.
inline constexpr llvm::StringLiteral kSimtConfigKey = "simt";

/// GemmSimtConfig<BM, BN, BK, TM, TN> of loom/gemm_simt.cuh for GEMMs of at most `maxRows` rows.
struct SimtTile {
  int64_t maxRows;
  int64_t bm, bn, bk, tm, tn;
  int threads() const { return int(bm / tm * (bn / tn)); }
};

/// The first SIMT GEMM tile of the table whose row bound covers `rowsBound`.
const SimtTile &simtGemmTile(int64_t rowsBound);

/// Why no tensor-core GEMM family can be legal for `shape` on `target` (every reason that
/// applies, joined by "; "), or "" when one can or `shape` is not a GEMM.
std::string simtGemmReason(const KernelShape &shape, const GpuTarget &target);

/// The SIMT GEMM configuration for `shape`: the first tile of the table whose row bound covers
/// the shape's, with its launch shape (static shared memory only).
TileConfig simtGemmConfig(const KernelShape &shape);

} // namespace loom::tile

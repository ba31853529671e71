// SkinnyVariants: a skinny-GEMM kernel (17..128 rows) beside each GEMM whose rows can exceed 128.
#pragma once

#include "compiler/Transforms/Tile/CostModel.h"

#include "mlir/IR/BuiltinOps.h"

namespace loom::tile {

/// The most rows the skinny family (loom/gemm_skinny.cuh) takes; larger row counts run the GEMM.
inline constexpr int64_t kSkinnyMaxRows = 128;

/// Why the GEMM `shape` cannot run as a skinny GEMM on `target`, or "" when it can.
std::string skinnyProblem(const KernelShape &shape, const GpuTarget &target);

/// The skinny configuration of `shape` with its launch shape and time: one CTA per 128 W rows and
/// K range, `split` K ranges per column block (a cluster) chosen to fill the SMs once. On sm_90a
/// with bf16 operands the wgmma kernel (loom/gemm_sm90_skinny.cuh: max_m 64 or 128, split, ring,
/// consumers; X and W as TMA descriptors), else loom::SkinnyConfig's (max_m, split, ring).
TileConfig skinnyConfig(const KernelShape &shape, const GpuTarget &target);

/// For every GEMM kernel whose rows are bounded above kSkinnyMaxRows and that the skinny family
/// can compute on `target`, adds a copy named `<family>_skinny_<n>` capped at 128 rows and
/// splits each of its launches: the skinny copy guarded `<rows> <= 128` (joined to the launch's
/// guard, e.g. the `<rows> > 16` the GEMV variants left), then the GEMM guarded `<rows> > 128`.
/// With `explain`, every GEMM left without one gets a remark saying why.
void addSkinnyVariants(mlir::ModuleOp module, const GpuTarget &target, bool explain);

} // namespace loom::tile

// The family lowerings of graph groups into tile kernels.
#pragma once

#include "compiler/Conversion/GraphToTile/KernelBuilder.h"

namespace loom::conversion {

/// Elementwise, norm, gather, softmax and argmax groups: vector or row tiles, reductions, maps.
mlir::LogicalResult lowerRowGroup(KernelBuilder &kernel);

/// GEMM groups: (row-scale prologue) -> tile.dot -> epilogue maps -> masked store.
mlir::LogicalResult lowerGemmGroup(KernelBuilder &kernel);

/// graph.matmul groups: loom::matmulSimt with a [K, N] right operand, one batch per grid z.
mlir::LogicalResult lowerMatmulGroup(KernelBuilder &kernel);

/// Attention groups: rope + kv_append of a packed QKV projection, paged attention (library
/// kernels whose launch shape is fixed here).
mlir::LogicalResult lowerAttentionGroup(KernelBuilder &kernel);

/// The scratch of an attention group: the decode kernel's split partials of a paged attention
/// (a ScratchPlanner; none for other groups).
llvm::SmallVector<ScratchRequest> attentionScratch(const Group &group, const PackagePlan &plan);

/// "graph.attention, graph.kv_append": the op names of a group, for diagnostics.
std::string describeOps(const Group &group);

} // namespace loom::conversion

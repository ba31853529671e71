// The family lowerings of graph groups into tile kernels.
#pragma once

#include "compiler/Conversion/GraphToTile/KernelBuilder.h"

namespace loom::conversion {

/// Elementwise, norm, gather, softmax and argmax groups: vector or row tiles, reductions, maps.
mlir::LogicalResult lowerRowGroup(KernelBuilder &kernel);

/// GEMM groups: (row-scale prologue) -> tile.dot -> epilogue maps -> masked store.
mlir::LogicalResult lowerGemmGroup(KernelBuilder &kernel);

/// The rope + KV-append tail of a merged QKV GEMM: split -> rope(q), rope(k) -> kv_append.
struct RopeKvTail {
  graph::RopeOp query, key;
  graph::KVAppendOp append;
};
/// The tail when `ops` (the ops after `linear` in its group) are exactly one.
std::optional<RopeKvTail> matchRopeKvTail(graph::LinearOp linear, llvm::ArrayRef<mlir::Operation *> ops);
/// Stores the GEMM's [M, q + k + v] accumulator `value` through the rope + KV-append epilogue:
/// a tile.store into the rotated q output marked `loom.rope_kv`, with the parameters it needs.
mlir::LogicalResult storeRopeKvTail(KernelBuilder &kernel, RopeKvTail tail, mlir::Value value,
                                    mlir::ValueRange indices, mlir::ValueRange bounds);
/// The f32 parameters of loom::RopeFrequencies{theta, factor, low, high, originalMaxPosition} of
/// `rope`, in that order (factor 0: no Llama-3 scaling).
void addRopeFrequencyParameters(KernelBuilder &kernel, graph::RopeOp rope);

/// graph.matmul groups: loom::matmulSimt with a [K, N] right operand, one batch per grid z.
mlir::LogicalResult lowerMatmulGroup(KernelBuilder &kernel);

/// Attention groups: rope + kv_append of a packed QKV projection, paged attention (library
/// kernels whose launch shape is fixed here).
mlir::LogicalResult lowerAttentionGroup(KernelBuilder &kernel);

/// The scratch of an attention group: the decode kernel's split partials and split counters of
/// a paged attention (a ScratchPlanner; none for other groups).
llvm::SmallVector<ScratchRequest> attentionScratch(const Group &group, const PackagePlan &plan);

/// "graph.attention, graph.kv_append": the op names of a group, for diagnostics.
std::string describeOps(const Group &group);

} // namespace loom::conversion

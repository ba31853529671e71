// KernelAnalysis: what a tile.kernel computes, as the cost model and the reports need it.
#pragma once

#include "dialects/Tile/IR/TileOps.h"

#include <string>

namespace loom::tile {

/// kLibrary: a device-library call whose launch shape graph-to-tile fixed (attention, rope +
/// kv_append); its body is empty and its cost is not modelled (zero bytes and flops).
enum class KernelFamily { kGemm, kVector, kRows, kLibrary };

/// The discardable tile.kernel attribute naming a library kernel's device-library call.
inline constexpr llvm::StringLiteral kLibraryAttrName = "loom.library";

/// The discardable tile.kernel attribute listing, by name, the pointer parameters graph-to-tile
/// bound to package weights (graph.weight, derived weights included): buffers the runtime uploads
/// before the first step and no kernel writes, so a kernel may read them before its
/// grid-dependency wait (loom::gemv streams its W early).
inline constexpr llvm::StringLiteral kWeightParamsAttrName = "loom.weights";

/// The discardable tile.dot attribute of a merged gate/up GEMM: the activation (a MapKind name,
/// "silu", "gelu_tanh", ...) of out = act(gate) · up, with b = [gate rows; up rows] of 2N rows.
inline constexpr llvm::StringLiteral kGatingAttrName = "loom.gating";
/// The gating activation of `dot`, if it is a merged gate/up GEMM.
std::optional<MapKind> gatingOf(DotOp dot);

/// Sizes of a kernel; row/element counts as dim expressions and at their bounds.
struct KernelShape {
  KernelFamily family = KernelFamily::kRows;
  std::string rows;          ///< GEMM M, or the row count; vector: the element count
  int64_t rowsBound = 0;     ///< `rows` at the launch program's dim bounds
  int64_t rowsAbove = 0;     ///< GEMM: it launches only above this many rows (row-capped copies take the rest)
  int64_t n = 0, k = 0;      ///< GEMM
  int64_t rowLength = 0;     ///< rows: the static row length
  /// rows: each thread streams its share of a row (softmax, argmax: loom/softmax.cuh) instead
  /// of holding it in registers, so any row length fits one CTA.
  bool streamsRows = false;
  int64_t narrowestBytes = 4; ///< the narrowest element a load or store moves
  mlir::Type operand;        ///< GEMM operand element type
  bool rowScale = false;     ///< GEMM with an RMSNorm prologue
  int64_t gating = 1;        ///< GEMM weight rows per output: 2 for a merged gate/up (W is [2N, K])
  /// GEMM: static shared memory its epilogue declares (a loom.rope_kv store: loom/rope.cuh's
  /// per-CTA table of head_dim / 2 doubles), which the shared-memory budgets must leave room for.
  int64_t staticSharedBytes = 0;
  double bytes = 0, flops = 0; ///< memory traffic and math at the bounds
};

/// An i32 value of a kernel body as a dim expression ("tokens * 64"), or "" if it is not one.
std::string renderDimExpr(mlir::Value value);
/// That expression evaluated at `dims`' bounds.
std::optional<int64_t> evaluateAtBounds(mlir::Value value, mlir::DictionaryAttr dims);
/// The dims of the module's tile.launch_program (empty if there is none).
mlir::DictionaryAttr launchDims(mlir::Operation *anyOpInModule);

mlir::FailureOr<KernelShape> analyzeKernel(KernelOp kernel);

} // namespace loom::tile

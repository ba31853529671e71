// Upper bounds (and names) of every tensor dimension of a forward function, from loom.dims/loom.max_*.
#pragma once

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/DenseMap.h"

#include <optional>
#include <string>

namespace loom::graph {

/// One dimension: its largest extent and the expression naming it ("tokens", "seqs+1", "4096").
struct DimBound {
  int64_t bound;
  std::string name;
};
using ShapeBound = llvm::SmallVector<DimBound, 4>;

/// The bound of every ranked tensor value of a function's body (arguments, results, fused bodies).
class DimBounds {
public:
  /// Reads the arguments' `loom.dims` (without it, a dynamic leading dimension is "tokens")
  /// and the function's `loom.max_*`, then propagates through
  /// the body; emits an error on the function or op that cannot be bounded.
  static mlir::FailureOr<DimBounds> compute(mlir::func::FuncOp function);

  /// The shape bound of `value`, or null for values that are not ranked tensors.
  const ShapeBound *lookup(mlir::Value value) const;

private:
  mlir::LogicalResult propagate(mlir::Block &block);
  mlir::LogicalResult bindResult(mlir::Operation *op, mlir::Value result);
  std::optional<DimBound> sourcedDim(mlir::Operation *op, int64_t d) const;

  llvm::DenseMap<mlir::Value, ShapeBound> bounds;
};

/// The bound of a dim expression: integers and dim names joined by `+`; a name `x` is bounded
/// by the function's `loom.max_x`.
mlir::FailureOr<int64_t> boundOfDimName(mlir::func::FuncOp function, llvm::StringRef expression);

} // namespace loom::graph

// Groups: the kernels-to-be of a forward function (graph.fused regions and unfused ops).
#pragma once

#include "dialects/Graph/IR/GraphOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <string>
#include <vector>

namespace loom::conversion {

/// One future kernel. Inner values are what the group's ops see (a fused body's block arguments
/// and yielded values, or a singleton op's own operands and results).
struct Group {
  std::string name;
  graph::FusionKind kind = graph::FusionKind::other;
  std::optional<graph::GemmPrologue> prologue;
  mlir::Operation *anchor = nullptr;          ///< the graph.fused op, or the op itself
  llvm::SmallVector<mlir::Operation *> ops;   ///< the group's graph ops in order
  llvm::SmallVector<mlir::Value> inputs;      ///< inner values read from outside the group
  llvm::SmallVector<mlir::Value> outputs;     ///< inner values the group produces

  /// The value outside the group that inner input `inner` stands for.
  mlir::Value outerInput(mlir::Value inner) const;
  /// The value outside the group that output `index` becomes.
  mlir::Value outerOutput(unsigned index) const { return anchor->getResult(index); }
  /// "graph.rms_norm", ... in order (the manifest's `ops`).
  std::vector<std::string> opNames() const;
};

/// The groups of `function` in program order; graph.weight ops and views (split, rope, reshape:
/// PackagePlan::isViewOp) belong to none, except the ropes a kv_append group performs in place.
std::vector<Group> collectGroups(mlir::func::FuncOp function);

} // namespace loom::conversion

// GraphSignature: the package-facing names and extents of a forward function's arguments and
// results, read the way the compiler's package plan reads them (docs/graph-ops.md).
#pragma once

#include "frontend/Reference/HostTensor.h"
#include "runtime/Package/DimExpr.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <optional>
#include <string>
#include <vector>

namespace loom::verify {

/// One tensor argument or result: its package name, type and (arguments only) extents, integers
/// or dim names; a result's shape is the reference's.
struct SignatureTensor {
  std::string name;            ///< `loom.name`, else "arg<i>" / "out<i>"
  unsigned index = 0;          ///< argument or result number
  ref::ElementType type = ref::ElementType::kF32;
  std::vector<std::string> extents;
  /// For index arguments that gather rows (graph.embedding ids): ids must lie in [0, idBound),
  /// the table's row count — an integer, or "tokens" when the table is an activation.
  std::optional<std::string> idBound;

  /// The shape for `dims`; kInvalidArgument naming a dim `dims` lacks.
  StatusOr<ref::Shape> shape(const rt::DimValues &dims) const;
  /// The id bound for `dims`, if any.
  StatusOr<std::optional<int64_t>> idLimit(const rt::DimValues &dims) const;
};

struct GraphSignature {
  std::vector<SignatureTensor> arguments, results;
};

/// Reads `function`'s signature. kInvalidArgument for a KV-cache argument (not verifiable yet)
/// or an element type the reference has no storage for.
StatusOr<GraphSignature> readSignature(mlir::func::FuncOp function);

/// The single func.func of a module; kInvalidArgument when there is not exactly one.
StatusOr<mlir::func::FuncOp> forwardFunction(mlir::ModuleOp module);

} // namespace loom::verify

// Small shape predicates shared by the graph ops' verifiers.
#pragma once

#include "mlir/IR/BuiltinTypes.h"

#include <string>

namespace loom::graph {

/// Two extents agree when they are equal or either is dynamic.
inline bool compatibleDims(int64_t a, int64_t b) {
  return a == b || mlir::ShapedType::isDynamic(a) || mlir::ShapedType::isDynamic(b);
}

/// The extent of the last dimension of a ranked tensor value.
inline int64_t lastDim(mlir::Value value) {
  auto type = mlir::cast<mlir::RankedTensorType>(value.getType());
  return type.getDimSize(type.getRank() - 1);
}

inline int64_t rankOf(mlir::Value value) {
  return mlir::cast<mlir::RankedTensorType>(value.getType()).getRank();
}

inline mlir::Type elementTypeOf(mlir::Value value) {
  return mlir::cast<mlir::RankedTensorType>(value.getType()).getElementType();
}

} // namespace loom::graph

namespace loom::graph {

/// An extent for a diagnostic: the number, or "?" when dynamic.
inline std::string dimText(int64_t dim) {
  return mlir::ShapedType::isDynamic(dim) ? std::string("?") : std::to_string(dim);
}

} // namespace loom::graph

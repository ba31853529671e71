// Bridges between MLIR types/locations and reference tensors: element types and type checks.
#pragma once

#include "frontend/Reference/Interpreter/RuntimeValue.h"
#include "runtime/Support/Status.h"

#include "mlir/IR/Location.h"
#include "mlir/IR/Types.h"

#include <string>
#include <string_view>

namespace loom::ref {

/// bf16/f16/f32/i32/i64 of an MLIR element type; invalid-argument for any other.
StatusOr<ElementType> elementTypeOf(mlir::Type type);

/// The KV pool shape a `!graph.kv_cache` type describes; invalid-argument for another type.
StatusOr<KVCacheShape> kvCacheShapeOf(mlir::Type type);

/// Ok when `value` fits `type`: a tensor of its rank, element type and static extents (dynamic
/// extents take any size), or a KV pool of exactly its shape. The error names `what`.
Status checkValueType(const RuntimeValue &value, mlir::Type type, std::string_view what);

/// "file.mlir:3:8" (or the printed location when it has no file).
std::string locationText(mlir::Location location);

} // namespace loom::ref

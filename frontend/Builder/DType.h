// The element types a DSL tensor can have, and their MLIR types.
#pragma once

#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Types.h"

#include <optional>
#include <string_view>

namespace loom {

/// Element type of a DSL tensor: float storage types and the index types of ids and positions.
enum class DType { bf16, f16, f32, i32, i64 };

/// The MLIR element type of `dtype`, e.g. `bf16` or `i32`.
mlir::Type toMlirType(DType dtype, mlir::MLIRContext &context);

/// The DType of an MLIR element type; nullopt for types the graph dialect does not store.
std::optional<DType> dtypeOf(mlir::Type type);

/// The MLIR spelling, e.g. "bf16".
std::string_view dtypeName(DType dtype);

/// Whether `dtype` is a float storage type (bf16, f16, f32).
bool isFloatDType(DType dtype);

} // namespace loom

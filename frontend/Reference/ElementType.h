// Element types of reference tensors and the exact rounding of f32 results to bf16/f16.
#pragma once

#include <optional>
#include <string_view>

namespace loom::ref {

/// The storage type of a HostTensor: the float types the graph stores, and index types.
enum class ElementType { kBF16, kF16, kF32, kI32, kI64 };

/// The MLIR spelling: "bf16", "f16", "f32", "i32", "i64".
std::string_view elementTypeName(ElementType type);

/// Parses the MLIR spelling; nullopt for anything else.
std::optional<ElementType> parseElementType(std::string_view name);

/// True for bf16, f16 and f32.
bool isFloatType(ElementType type);

/// `value` rounded to the nearest value of `type`, ties to even (what `cvt.rn` does on the GPU):
/// bf16 and f16 keep subnormals, overflow to ±infinity and keep NaN; f32 returns `value`.
/// Index types are not float storage; they return `value` unchanged.
float roundToElementType(float value, ElementType type);

} // namespace loom::ref

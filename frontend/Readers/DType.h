// Element types a safetensors file may hold, and the host conversion of float ones to f32.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace loom::frontend {

/// A tensor element type. BF16/F16/F32 are weights; I64/I32/U8 are accepted as raw bytes.
enum class DType { kBF16, kF16, kF32, kI64, kI32, kU8 };

/// The safetensors spelling, e.g. "BF16".
std::string_view dtypeName(DType dtype);

/// Bytes per element.
size_t dtypeSize(DType dtype);

/// Parses a safetensors dtype string; nullopt for an unknown one.
std::optional<DType> parseDType(std::string_view name);

/// Whether `toFloat32` can convert this type (BF16, F16, F32).
bool isFloatingPoint(DType dtype);

/// IEEE binary16 bits → float (subnormals, infinities and NaN preserved).
float halfToFloat(uint16_t bits);

/// bfloat16 bits → float (exact: bf16 is the top half of an f32).
float bfloat16ToFloat(uint16_t bits);

} // namespace loom::frontend

// Host-side conversions between the storage dtypes a package uses (weights arrive as f32/bf16/f16).
#pragma once

#include "runtime/Package/Manifest.h"

#include <cstddef>
#include <span>
#include <vector>

namespace loom::rt {

/// f32 -> bf16/f16 bits with round-to-nearest-even (NaN stays NaN), and back.
uint16_t floatToBf16(float value);
uint16_t floatToF16(float value);
float bf16ToFloat(uint16_t bits);
float f16ToFloat(uint16_t bits);

/// Converts `count` elements of `from` to `to` (float types only; equal types copy).
/// kInvalidArgument for integer conversions or a size mismatch.
StatusOr<std::vector<std::byte>> convertElements(std::span<const std::byte> data, DType from,
                                                 DType to);

} // namespace loom::rt

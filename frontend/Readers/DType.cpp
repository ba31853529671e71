// Element type names, sizes and half-precision conversions.
#include "frontend/Readers/DType.h"

#include <array>
#include <bit>
#include <cmath>

namespace loom::frontend {
namespace {

struct DTypeInfo {
  DType dtype;
  std::string_view name;
  size_t size;
  bool floatingPoint;
};

constexpr std::array<DTypeInfo, 6> kDTypes = {{
    {DType::kBF16, "BF16", 2, true},
    {DType::kF16, "F16", 2, true},
    {DType::kF32, "F32", 4, true},
    {DType::kI64, "I64", 8, false},
    {DType::kI32, "I32", 4, false},
    {DType::kU8, "U8", 1, false},
}};

const DTypeInfo &info(DType dtype) {
  return kDTypes[static_cast<size_t>(dtype)];
}

} // namespace

std::string_view dtypeName(DType dtype) { return info(dtype).name; }
size_t dtypeSize(DType dtype) { return info(dtype).size; }
bool isFloatingPoint(DType dtype) { return info(dtype).floatingPoint; }

std::optional<DType> parseDType(std::string_view name) {
  for (const DTypeInfo &entry : kDTypes)
    if (entry.name == name)
      return entry.dtype;
  return std::nullopt;
}

float halfToFloat(uint16_t bits) {
  uint32_t sign = static_cast<uint32_t>(bits & 0x8000u) << 16;
  uint32_t exponent = (bits >> 10) & 0x1fu;
  uint32_t mantissa = bits & 0x3ffu;
  if (exponent == 0) {
    // Zero or subnormal: mantissa × 2^-24.
    float magnitude = std::ldexp(static_cast<float>(mantissa), -24);
    return sign ? -magnitude : magnitude;
  }
  uint32_t out = exponent == 0x1f
                     ? sign | 0x7f800000u | (mantissa << 13)
                     : sign | ((exponent + 112u) << 23) | (mantissa << 13);
  return std::bit_cast<float>(out);
}

float bfloat16ToFloat(uint16_t bits) {
  return std::bit_cast<float>(static_cast<uint32_t>(bits) << 16);
}

} // namespace loom::frontend

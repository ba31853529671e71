// Element type names and round-to-nearest-even into bf16/f16, by scaling to the type's quantum.
#include "frontend/Reference/ElementType.h"

#include <array>
#include <cmath>
#include <limits>

namespace loom::ref {
namespace {

/// What rounding into a narrow float format needs to know about it.
struct FloatFormat {
  int mantissaBits;      ///< explicit fraction bits
  int minNormalExponent; ///< the exponent of the smallest normal number
  double maxFinite;      ///< the largest finite value
};

constexpr FloatFormat kBF16Format{7, -126, 0x1.fep127};
constexpr FloatFormat kF16Format{10, -14, 65504.0};

struct TypeName {
  ElementType type;
  std::string_view name;
};
constexpr std::array<TypeName, 5> kTypeNames{{{ElementType::kBF16, "bf16"},
                                              {ElementType::kF16, "f16"},
                                              {ElementType::kF32, "f32"},
                                              {ElementType::kI32, "i32"},
                                              {ElementType::kI64, "i64"}}};

/// Rounds to the format: the quantum (spacing of representable values) near |value| is
/// 2^(exponent - mantissaBits), clamped at the subnormal spacing; value / quantum is exact, so
/// rounding it to an integer (ties to even, the default mode) and scaling back rounds exactly.
float roundToFormat(float value, const FloatFormat &format) {
  if (!std::isfinite(value) || value == 0.0f)
    return value;
  double magnitude = std::fabs(static_cast<double>(value));
  int exponent = std::ilogb(magnitude);
  if (exponent < format.minNormalExponent)
    exponent = format.minNormalExponent;
  double quantum = std::ldexp(1.0, exponent - format.mantissaBits);
  double rounded = std::nearbyint(magnitude / quantum) * quantum;
  if (rounded > format.maxFinite)
    rounded = std::numeric_limits<double>::infinity();
  return static_cast<float>(std::copysign(rounded, static_cast<double>(value)));
}

} // namespace

std::string_view elementTypeName(ElementType type) {
  for (const TypeName &entry : kTypeNames)
    if (entry.type == type)
      return entry.name;
  return "?";
}

std::optional<ElementType> parseElementType(std::string_view name) {
  for (const TypeName &entry : kTypeNames)
    if (entry.name == name)
      return entry.type;
  return std::nullopt;
}

bool isFloatType(ElementType type) {
  return type == ElementType::kBF16 || type == ElementType::kF16 || type == ElementType::kF32;
}

float roundToElementType(float value, ElementType type) {
  switch (type) {
  case ElementType::kBF16:
    return roundToFormat(value, kBF16Format);
  case ElementType::kF16:
    return roundToFormat(value, kF16Format);
  default:
    return value;
  }
}

} // namespace loom::ref

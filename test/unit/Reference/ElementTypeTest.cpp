// Rounding to bf16/f16: hand-picked ties and limits, and bit-level cross-checks on random values.
#include "frontend/Reference/ElementType.h"
#include "frontend/Reference/HostTensor.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <random>

namespace loom::ref {
namespace {

constexpr ElementType kBF16 = ElementType::kBF16;
constexpr ElementType kF16 = ElementType::kF16;

TEST(ElementTypeTest, Bf16TiesGoToEven) {
  EXPECT_EQ(roundToElementType(1.0f + 0x1p-8f, kBF16), 1.0f);              // tie, 1.0 is even
  EXPECT_EQ(roundToElementType(1.0f + 3 * 0x1p-8f, kBF16), 1.0f + 0x1p-6f); // tie, up to even
  EXPECT_EQ(roundToElementType(1.0f + 0x1p-8f + 0x1p-20f, kBF16), 1.0f + 0x1p-7f);
  EXPECT_EQ(roundToElementType(-3.14159265f, kBF16), -3.140625f);
  EXPECT_EQ(roundToElementType(0x1.ffp127f, kBF16), INFINITY); // above the largest bf16
  EXPECT_EQ(roundToElementType(0x1.fep127f, kBF16), 0x1.fep127f);
  EXPECT_TRUE(std::isnan(roundToElementType(NAN, kBF16)));
}

TEST(ElementTypeTest, F16LimitsAndSubnormals) {
  EXPECT_EQ(roundToElementType(65519.0f, kF16), 65504.0f);
  EXPECT_EQ(roundToElementType(65520.0f, kF16), INFINITY);
  EXPECT_EQ(roundToElementType(-65520.0f, kF16), -INFINITY);
  EXPECT_EQ(roundToElementType(0x1p-25f, kF16), 0.0f);          // half the smallest subnormal
  EXPECT_EQ(roundToElementType(3 * 0x1p-25f, kF16), 0x1p-23f);  // 1.5 quanta → 2 (even)
  EXPECT_EQ(roundToElementType(5 * 0x1p-26f, kF16), 0x1p-24f);  // 1.25 quanta → 1
  EXPECT_EQ(roundToElementType(1.0f + 0x1p-11f, kF16), 1.0f);
  EXPECT_EQ(roundToElementType(0.1f, kF16), 0.0999755859375f);
}

/// bf16 by the usual bit trick: add 0x7fff plus the lowest kept bit, truncate.
float bf16ByBits(float value) {
  uint32_t bits = std::bit_cast<uint32_t>(value);
  bits += 0x7fffu + ((bits >> 16) & 1u);
  return std::bit_cast<float>(bits & 0xffff0000u);
}

TEST(ElementTypeTest, Bf16MatchesBitTrickOnRandomFloats) {
  std::mt19937 generator(7);
  std::uniform_int_distribution<uint32_t> bits;
  for (int i = 0; i < 200000; ++i) {
    float value = std::bit_cast<float>(bits(generator));
    if (!std::isfinite(value) || std::fabs(value) > 0x1.fep127f)
      continue;
    ASSERT_EQ(roundToElementType(value, kBF16), bf16ByBits(value)) << value;
  }
}

#ifdef __FLT16_MAX__
TEST(ElementTypeTest, F16MatchesCompilerConversionOnRandomFloats) {
  std::mt19937 generator(11);
  std::uniform_real_distribution<float> exponent(-30.0f, 17.0f);
  std::uniform_real_distribution<float> mantissa(1.0f, 2.0f);
  for (int i = 0; i < 200000; ++i) {
    float value = std::ldexp(mantissa(generator), static_cast<int>(exponent(generator)));
    if (i % 2)
      value = -value;
    float expected = static_cast<float>(static_cast<_Float16>(value));
    ASSERT_EQ(roundToElementType(value, kF16), expected) << value;
  }
}
#endif

TEST(ElementTypeTest, NamesRoundTrip) {
  for (ElementType type : {kBF16, kF16, ElementType::kF32, ElementType::kI32, ElementType::kI64})
    EXPECT_EQ(parseElementType(elementTypeName(type)), type);
  EXPECT_FALSE(parseElementType("f64").has_value());
}

TEST(HostTensorTest, FromFloatsRoundsToStorage) {
  auto tensor = HostTensor::fromFloats(kBF16, {2}, {1.0f + 0x1p-8f, 1.0f + 3 * 0x1p-8f});
  ASSERT_TRUE(tensor.isOk());
  EXPECT_EQ(tensor->floats()[0], 1.0f);
  EXPECT_EQ(tensor->floats()[1], 1.0f + 0x1p-6f);
  EXPECT_EQ(tensor->typeString(), "tensor<2xbf16>");
}

TEST(HostTensorTest, BadConstructionIsAnError) {
  EXPECT_FALSE(HostTensor::fromFloats(ElementType::kF32, {2, 2}, {1, 2, 3}).isOk());
  EXPECT_FALSE(HostTensor::fromFloats(ElementType::kI32, {1}, {1}).isOk());
  EXPECT_FALSE(HostTensor::fromFloats(ElementType::kF32, {-1}, {}).isOk());
  EXPECT_FALSE(HostTensor::fromInts(ElementType::kI32, {1}, {int64_t{1} << 40}).isOk());
  EXPECT_TRUE(HostTensor::fromInts(ElementType::kI64, {1}, {int64_t{1} << 40}).isOk());
}

} // namespace
} // namespace loom::ref

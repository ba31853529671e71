// Element type names, sizes and exact half / bfloat16 → float conversions.
#include "frontend/Readers/DType.h"

#include <gtest/gtest.h>

#include <cmath>

namespace loom::frontend {
namespace {

TEST(DTypeTest, NamesAndSizes) {
  EXPECT_EQ(parseDType("BF16"), DType::kBF16);
  EXPECT_EQ(parseDType("U8"), DType::kU8);
  EXPECT_FALSE(parseDType("bf16").has_value());
  EXPECT_FALSE(parseDType("F64").has_value());
  EXPECT_EQ(dtypeSize(DType::kBF16), 2u);
  EXPECT_EQ(dtypeSize(DType::kI64), 8u);
  EXPECT_EQ(dtypeName(DType::kI32), "I32");
  EXPECT_TRUE(isFloatingPoint(DType::kF16));
  EXPECT_FALSE(isFloatingPoint(DType::kU8));
}

TEST(DTypeTest, HalfToFloat) {
  EXPECT_EQ(halfToFloat(0x3C00), 1.0f);
  EXPECT_EQ(halfToFloat(0xC000), -2.0f);
  EXPECT_EQ(halfToFloat(0x3555), 0.333251953125f);
  EXPECT_EQ(halfToFloat(0x0001), std::ldexp(1.0f, -24)); // smallest subnormal
  EXPECT_EQ(halfToFloat(0x03FF), std::ldexp(1023.0f, -24)); // largest subnormal
  EXPECT_EQ(halfToFloat(0x7BFF), 65504.0f);
  EXPECT_EQ(halfToFloat(0x7C00), INFINITY);
  EXPECT_TRUE(std::signbit(halfToFloat(0x8000)));
  EXPECT_TRUE(std::isnan(halfToFloat(0x7E00)));
}

TEST(DTypeTest, Bfloat16ToFloat) {
  EXPECT_EQ(bfloat16ToFloat(0x3F80), 1.0f);
  EXPECT_EQ(bfloat16ToFloat(0x4049), 3.140625f);
  EXPECT_EQ(bfloat16ToFloat(0xFF80), -INFINITY);
}

} // namespace
} // namespace loom::frontend

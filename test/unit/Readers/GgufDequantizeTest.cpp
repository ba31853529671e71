// Dequantization of every supported ggml type against hand-computed values.
#include "frontend/Readers/GgufFile.h"

#include "test/unit/Readers/GgufWriter.h"

#include <gtest/gtest.h>

#include <cmath>

namespace loom::frontend {
namespace {

using testing::GgufWriter;
using testing::rawBytes;

constexpr uint16_t kHalfOne = 0x3c00, kHalfHalf = 0x3800, kHalfTwo = 0x4000, kHalfQuarter = 0x3400,
                   kHalfMinusOne = 0xbc00;

/// Writes one tensor of `type` with GGUF dims `dims` and returns its f32 values.
std::vector<float> dequantizeOne(uint32_t type, std::vector<uint64_t> dims, std::string data,
                                 std::vector<int64_t> expectedShape) {
  GgufWriter writer;
  writer.tensor("t", std::move(dims), type, std::move(data));
  std::string bytes = writer.bytes();
  StatusOr<GgufFile> file = testing::parseGguf(bytes, "quant.gguf");
  EXPECT_TRUE(file.isOk()) << file.status().toString();
  if (!file.isOk())
    return {};
  EXPECT_EQ(file->tensors()[0].shape, expectedShape);
  StatusOr<std::vector<float>> values = file->dequantize(file->tensors()[0]);
  EXPECT_TRUE(values.isOk()) << values.status().toString();
  return values.isOk() ? *values : std::vector<float>{};
}

std::string half(uint16_t bits) { return rawBytes<uint16_t>({bits}); }

TEST(GgufDequantizeTest, F32) {
  std::vector<float> values = {1.5f, -0.0f, 3e38f, -7.25f, 1e-40f, 42.0f};
  EXPECT_EQ(dequantizeOne(0, {3, 2}, rawBytes(values), {2, 3}), values);
}

TEST(GgufDequantizeTest, F16) {
  // 1, -2, 65504 (largest half), 2^-24 (smallest subnormal), 0.333251953125, -inf
  std::vector<float> values = dequantizeOne(
      1, {6}, rawBytes<uint16_t>({0x3c00, 0xc000, 0x7bff, 0x0001, 0x3555, 0xfc00}), {6});
  EXPECT_EQ(values, (std::vector<float>{1.0f, -2.0f, 65504.0f, std::ldexp(1.0f, -24),
                                        0.333251953125f, -INFINITY}));
}

TEST(GgufDequantizeTest, BF16) {
  std::vector<float> values =
      dequantizeOne(30, {4}, rawBytes<uint16_t>({0x3f80, 0xc040, 0x4049, 0x0000}), {4});
  EXPECT_EQ(values, (std::vector<float>{1.0f, -3.0f, 3.140625f, 0.0f}));
}

TEST(GgufDequantizeTest, Q8_0) {
  // Two blocks (one row of 64): scale 0.5 with q = i - 16, then scale 2 with q = -128..127 ends.
  std::string data = half(kHalfHalf);
  for (int i = 0; i < 32; ++i)
    data += static_cast<char>(static_cast<int8_t>(i - 16));
  data += half(kHalfTwo);
  for (int i = 0; i < 32; ++i)
    data += static_cast<char>(static_cast<int8_t>(i % 2 ? 127 : -128));
  std::vector<float> values = dequantizeOne(8, {64}, data, {64});
  ASSERT_EQ(values.size(), 64u);
  EXPECT_EQ(values[0], -8.0f);
  EXPECT_EQ(values[16], 0.0f);
  EXPECT_EQ(values[31], 7.5f);
  EXPECT_EQ(values[32], -256.0f);
  EXPECT_EQ(values[33], 254.0f);
  for (int i = 0; i < 32; ++i) {
    EXPECT_EQ(values[i], 0.5f * (i - 16)) << i;
    EXPECT_EQ(values[32 + i], i % 2 ? 254.0f : -256.0f) << i;
  }
}

TEST(GgufDequantizeTest, Q4_0) {
  // Byte j holds element j in its low nibble (j) and element j + 16 in its high nibble
  // (15 - j); value = (q - 8) * d with d = 2. Two rows of one block each.
  std::string block = half(kHalfTwo);
  for (int j = 0; j < 16; ++j)
    block += static_cast<char>(j | (15 - j) << 4);
  std::string second = half(kHalfOne) + std::string(16, static_cast<char>(0x8f));
  std::vector<float> values = dequantizeOne(2, {32, 2}, block + second, {2, 32});
  ASSERT_EQ(values.size(), 64u);
  EXPECT_EQ(values[0], -16.0f);
  EXPECT_EQ(values[15], 14.0f);
  EXPECT_EQ(values[16], 14.0f);
  EXPECT_EQ(values[31], -16.0f);
  for (int j = 0; j < 16; ++j) {
    EXPECT_EQ(values[j], (j - 8) * 2.0f) << j;
    EXPECT_EQ(values[16 + j], (15 - j - 8) * 2.0f) << j;
    EXPECT_EQ(values[32 + j], 7.0f) << "low nibble 0xf";
    EXPECT_EQ(values[48 + j], 0.0f) << "high nibble 0x8";
  }
}

TEST(GgufDequantizeTest, Q4_1) {
  // value = q * d + m with d = 0.25, m = -1.
  std::string block = half(kHalfQuarter) + half(kHalfMinusOne);
  for (int j = 0; j < 16; ++j)
    block += static_cast<char>(j | (15 - j) << 4);
  std::vector<float> values = dequantizeOne(3, {32}, block, {32});
  ASSERT_EQ(values.size(), 32u);
  for (int j = 0; j < 16; ++j) {
    EXPECT_EQ(values[j], j * 0.25f - 1.0f) << j;
    EXPECT_EQ(values[16 + j], (15 - j) * 0.25f - 1.0f) << j;
  }
}

TEST(GgufDequantizeTest, TypeTableGeometry) {
  struct Expected {
    uint32_t id;
    std::string_view name;
    int64_t blockElements, blockBytes;
    bool dequantizable;
  };
  for (const Expected &expected :
       {Expected{0, "F32", 1, 4, true}, Expected{1, "F16", 1, 2, true},
        Expected{2, "Q4_0", 32, 18, true}, Expected{3, "Q4_1", 32, 20, true},
        Expected{8, "Q8_0", 32, 34, true}, Expected{30, "BF16", 1, 2, true},
        Expected{12, "Q4_K", 256, 144, false}, Expected{14, "Q6_K", 256, 210, false}}) {
    const GgufTensorType *type = findGgufTensorType(expected.id);
    ASSERT_NE(type, nullptr) << expected.name;
    EXPECT_EQ(type->name, expected.name);
    EXPECT_EQ(type->blockElements, expected.blockElements) << expected.name;
    EXPECT_EQ(type->blockBytes, expected.blockBytes) << expected.name;
    EXPECT_EQ(type->dequantize != nullptr, expected.dequantizable) << expected.name;
  }
  for (uint32_t removed : {4u, 5u, 31u, 1000u})
    EXPECT_EQ(findGgufTensorType(removed), nullptr) << removed;
}

} // namespace
} // namespace loom::frontend

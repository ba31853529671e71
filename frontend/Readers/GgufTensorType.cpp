// The ggml type table and the block dequantizers of F32, F16, BF16, Q8_0, Q4_0 and Q4_1.
#include "frontend/Readers/GgufTensorType.h"

#include "frontend/Readers/DType.h"

#include <array>
#include <cstring>

namespace loom::frontend {
namespace {

uint16_t loadU16(const uint8_t *bytes) { return static_cast<uint16_t>(bytes[0] | bytes[1] << 8); }
float loadHalf(const uint8_t *bytes) { return halfToFloat(loadU16(bytes)); }

void dequantizeF32(const uint8_t *data, int64_t blocks, float *out) {
  std::memcpy(out, data, static_cast<size_t>(blocks) * sizeof(float));
}

void dequantizeF16(const uint8_t *data, int64_t blocks, float *out) {
  for (int64_t i = 0; i < blocks; ++i)
    out[i] = loadHalf(data + 2 * i);
}

void dequantizeBF16(const uint8_t *data, int64_t blocks, float *out) {
  for (int64_t i = 0; i < blocks; ++i)
    out[i] = bfloat16ToFloat(loadU16(data + 2 * i));
}

/// Q8_0 block: f16 scale d, then 32 int8 quants q; value = q * d.
void dequantizeQ8_0(const uint8_t *data, int64_t blocks, float *out) {
  for (int64_t block = 0; block < blocks; ++block, data += 34, out += 32) {
    float scale = loadHalf(data);
    for (int i = 0; i < 32; ++i)
      out[i] = static_cast<float>(static_cast<int8_t>(data[2 + i])) * scale;
  }
}

/// Q4_0 block: f16 d, then 16 bytes whose low nibbles are elements 0..15 and high
/// nibbles elements 16..31; value = (q - 8) * d.
void dequantizeQ4_0(const uint8_t *data, int64_t blocks, float *out) {
  for (int64_t block = 0; block < blocks; ++block, data += 18, out += 32) {
    float scale = loadHalf(data);
    for (int i = 0; i < 16; ++i) {
      out[i] = static_cast<float>((data[2 + i] & 0x0f) - 8) * scale;
      out[i + 16] = static_cast<float>((data[2 + i] >> 4) - 8) * scale;
    }
  }
}

/// Q4_1 block: f16 d, f16 m, then 16 bytes of nibbles laid out as in Q4_0; value = q * d + m.
void dequantizeQ4_1(const uint8_t *data, int64_t blocks, float *out) {
  for (int64_t block = 0; block < blocks; ++block, data += 20, out += 32) {
    float scale = loadHalf(data);
    float minimum = loadHalf(data + 2);
    for (int i = 0; i < 16; ++i) {
      out[i] = static_cast<float>(data[4 + i] & 0x0f) * scale + minimum;
      out[i + 16] = static_cast<float>(data[4 + i] >> 4) * scale + minimum;
    }
  }
}

/// The types of ggml's `ggml_type` enum (ids 4, 5 and 31-33, 36-38 were removed from ggml)
/// with their block geometry, so a file holding types Loom cannot dequantize still opens.
constexpr std::array<GgufTensorType, 32> kTypes = {{
    {0, "F32", 1, 4, dequantizeF32},     {1, "F16", 1, 2, dequantizeF16},
    {2, "Q4_0", 32, 18, dequantizeQ4_0}, {3, "Q4_1", 32, 20, dequantizeQ4_1},
    {6, "Q5_0", 32, 22, nullptr},        {7, "Q5_1", 32, 24, nullptr},
    {8, "Q8_0", 32, 34, dequantizeQ8_0}, {9, "Q8_1", 32, 36, nullptr},
    {10, "Q2_K", 256, 84, nullptr},      {11, "Q3_K", 256, 110, nullptr},
    {12, "Q4_K", 256, 144, nullptr},     {13, "Q5_K", 256, 176, nullptr},
    {14, "Q6_K", 256, 210, nullptr},     {15, "Q8_K", 256, 292, nullptr},
    {16, "IQ2_XXS", 256, 66, nullptr},   {17, "IQ2_XS", 256, 74, nullptr},
    {18, "IQ3_XXS", 256, 98, nullptr},   {19, "IQ1_S", 256, 50, nullptr},
    {20, "IQ4_NL", 32, 18, nullptr},     {21, "IQ3_S", 256, 110, nullptr},
    {22, "IQ2_S", 256, 82, nullptr},     {23, "IQ4_XS", 256, 136, nullptr},
    {24, "I8", 1, 1, nullptr},           {25, "I16", 1, 2, nullptr},
    {26, "I32", 1, 4, nullptr},          {27, "I64", 1, 8, nullptr},
    {28, "F64", 1, 8, nullptr},          {29, "IQ1_M", 256, 56, nullptr},
    {30, "BF16", 1, 2, dequantizeBF16},  {34, "TQ1_0", 256, 54, nullptr},
    {35, "TQ2_0", 256, 66, nullptr},     {39, "MXFP4", 32, 17, nullptr},
}};

} // namespace

const GgufTensorType *findGgufTensorType(uint32_t id) {
  for (const GgufTensorType &type : kTypes)
    if (type.id == id)
      return &type;
  return nullptr;
}

std::string dequantizableGgufTypes() {
  std::string names;
  for (const GgufTensorType &type : kTypes)
    if (type.dequantize)
      names += (names.empty() ? "" : ", ") + std::string(type.name);
  return names;
}

} // namespace loom::frontend

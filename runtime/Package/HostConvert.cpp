// Bit-exact host conversions among f32, bf16 and f16.
#include "runtime/Package/HostConvert.h"

#include <cmath>
#include <cstring>
#include <fmt/format.h>

namespace loom::rt {

uint16_t floatToBf16(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, 4);
  if (std::isnan(value))
    return static_cast<uint16_t>((bits >> 16) | 0x40u);
  bits += 0x7fffu + ((bits >> 16) & 1u);
  return static_cast<uint16_t>(bits >> 16);
}

float bf16ToFloat(uint16_t bits) {
  uint32_t widened = uint32_t(bits) << 16;
  float value;
  std::memcpy(&value, &widened, 4);
  return value;
}

uint16_t floatToF16(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, 4);
  uint32_t sign = (bits >> 16) & 0x8000u;
  uint32_t exponent = (bits >> 23) & 0xffu;
  uint32_t mantissa = bits & 0x7fffffu;
  if (exponent == 0xff)
    return static_cast<uint16_t>(sign | 0x7c00u | (mantissa ? 0x200u : 0u));
  int e = static_cast<int>(exponent) - 127 + 15;
  if (e >= 31)
    return static_cast<uint16_t>(sign | 0x7c00u);
  if (e <= 0) { // subnormal or zero: shift the implicit-one mantissa into place, round to even
    if (e < -10)
      return static_cast<uint16_t>(sign);
    mantissa |= 0x800000u;
    int shift = 14 - e;
    uint32_t half = mantissa >> shift;
    uint32_t rest = mantissa & ((1u << shift) - 1);
    uint32_t midpoint = 1u << (shift - 1);
    if (rest > midpoint || (rest == midpoint && (half & 1u)))
      ++half;
    return static_cast<uint16_t>(sign | half);
  }
  uint32_t half = (static_cast<uint32_t>(e) << 10) | (mantissa >> 13);
  uint32_t rest = mantissa & 0x1fffu;
  if (rest > 0x1000u || (rest == 0x1000u && (half & 1u)))
    ++half; // may carry into the exponent, which is the correct rounding (up to infinity)
  return static_cast<uint16_t>(sign | half);
}

float f16ToFloat(uint16_t bits) {
  uint32_t sign = uint32_t(bits & 0x8000u) << 16;
  uint32_t exponent = (bits >> 10) & 0x1fu;
  uint32_t mantissa = bits & 0x3ffu;
  uint32_t out;
  if (exponent == 0x1f) {
    out = sign | 0x7f800000u | (mantissa << 13);
  } else if (exponent == 0) {
    if (mantissa == 0) {
      out = sign;
    } else { // normalize the subnormal
      int e = -1;
      do {
        mantissa <<= 1;
        ++e;
      } while ((mantissa & 0x400u) == 0);
      out = sign | (uint32_t(127 - 15 - e) << 23) | ((mantissa & 0x3ffu) << 13);
    }
  } else {
    out = sign | ((exponent + 127 - 15) << 23) | (mantissa << 13);
  }
  float value;
  std::memcpy(&value, &out, 4);
  return value;
}

namespace {

bool isFloat(DType dtype) {
  return dtype == DType::kF32 || dtype == DType::kBF16 || dtype == DType::kF16;
}

float loadFloat(const std::byte *p, DType dtype) {
  uint16_t half;
  switch (dtype) {
  case DType::kF32: {
    float value;
    std::memcpy(&value, p, 4);
    return value;
  }
  case DType::kBF16:
    std::memcpy(&half, p, 2);
    return bf16ToFloat(half);
  default:
    std::memcpy(&half, p, 2);
    return f16ToFloat(half);
  }
}

void storeFloat(std::byte *p, DType dtype, float value) {
  uint16_t half;
  switch (dtype) {
  case DType::kF32:
    std::memcpy(p, &value, 4);
    return;
  case DType::kBF16:
    half = floatToBf16(value);
    break;
  default:
    half = floatToF16(value);
    break;
  }
  std::memcpy(p, &half, 2);
}

} // namespace

StatusOr<std::vector<std::byte>> convertElements(std::span<const std::byte> data, DType from,
                                                 DType to) {
  size_t inBytes = dtypeBytes(from), outBytes = dtypeBytes(to);
  if (data.size() % inBytes != 0)
    return LOOM_ERROR(StatusCode::kInvalidArgument,
                      fmt::format("{} bytes are not a whole number of {} elements", data.size(),
                                  dtypeName(from)));
  if (from == to)
    return std::vector<std::byte>(data.begin(), data.end());
  if (!isFloat(from) || !isFloat(to))
    return LOOM_ERROR(StatusCode::kInvalidArgument,
                      fmt::format("cannot convert {} to {}", dtypeName(from), dtypeName(to)));
  size_t count = data.size() / inBytes;
  std::vector<std::byte> out(count * outBytes);
  for (size_t i = 0; i < count; ++i)
    storeFloat(out.data() + i * outBytes, to, loadFloat(data.data() + i * inBytes, from));
  return out;
}

} // namespace loom::rt

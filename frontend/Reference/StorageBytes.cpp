// Encoding of reference tensors as device storage bytes and back.
#include "frontend/Reference/StorageBytes.h"

#include "frontend/Readers/DType.h"

#include <fmt/format.h>

#include <bit>
#include <cmath>
#include <cstring>

namespace loom::ref {
namespace {

/// IEEE binary16 bits of a value that f16 represents exactly (HostTensor holds only those).
uint16_t halfBits(float value) {
  uint16_t sign = std::signbit(value) ? 0x8000 : 0;
  double magnitude = std::fabs(static_cast<double>(value));
  if (std::isnan(value))
    return 0x7e00;
  if (std::isinf(value))
    return sign | 0x7c00;
  if (magnitude == 0.0)
    return sign;
  int exponent = std::ilogb(magnitude);
  if (exponent < -14) // subnormal: a multiple of 2^-24
    return sign | static_cast<uint16_t>(std::ldexp(magnitude, 24));
  auto mantissa = static_cast<uint16_t>(std::ldexp(magnitude, 10 - exponent) - 1024.0);
  return sign | static_cast<uint16_t>((exponent + 15) << 10) | mantissa;
}

template <typename T> void append(std::vector<std::byte> &bytes, T value) {
  const auto *raw = reinterpret_cast<const std::byte *>(&value);
  bytes.insert(bytes.end(), raw, raw + sizeof(T));
}

template <typename T> T read(std::span<const std::byte> bytes, size_t index) {
  T value;
  std::memcpy(&value, bytes.data() + index * sizeof(T), sizeof(T));
  return value;
}

} // namespace

size_t storageSize(ElementType type) {
  switch (type) {
  case ElementType::kBF16:
  case ElementType::kF16:
    return 2;
  case ElementType::kI64:
    return 8;
  default:
    return 4;
  }
}

std::vector<std::byte> toStorageBytes(const HostTensor &tensor) {
  std::vector<std::byte> bytes;
  bytes.reserve(static_cast<size_t>(tensor.numElements()) * storageSize(tensor.type()));
  for (float value : tensor.floats()) {
    if (tensor.type() == ElementType::kBF16)
      append(bytes, static_cast<uint16_t>(std::bit_cast<uint32_t>(value) >> 16));
    else if (tensor.type() == ElementType::kF16)
      append(bytes, halfBits(value));
    else
      append(bytes, value);
  }
  for (int64_t value : tensor.ints()) {
    if (tensor.type() == ElementType::kI32)
      append(bytes, static_cast<int32_t>(value));
    else
      append(bytes, value);
  }
  return bytes;
}

StatusOr<HostTensor> fromStorageBytes(ElementType type, Shape shape,
                                      std::span<const std::byte> bytes) {
  size_t count = static_cast<size_t>(elementCount(shape));
  if (bytes.size() != count * storageSize(type))
    return LOOM_ERROR(StatusCode::kInvalidArgument,
                      fmt::format("{} bytes do not hold {} {} elements", bytes.size(), count,
                                  elementTypeName(type)));
  if (!isFloatType(type)) {
    std::vector<int64_t> values(count);
    for (size_t i = 0; i < count; ++i)
      values[i] = type == ElementType::kI32 ? read<int32_t>(bytes, i) : read<int64_t>(bytes, i);
    return HostTensor::fromInts(type, std::move(shape), std::move(values));
  }
  std::vector<float> values(count);
  for (size_t i = 0; i < count; ++i) {
    if (type == ElementType::kBF16)
      values[i] = frontend::bfloat16ToFloat(read<uint16_t>(bytes, i));
    else if (type == ElementType::kF16)
      values[i] = frontend::halfToFloat(read<uint16_t>(bytes, i));
    else
      values[i] = read<float>(bytes, i);
  }
  return HostTensor::fromFloats(type, std::move(shape), std::move(values));
}

} // namespace loom::ref

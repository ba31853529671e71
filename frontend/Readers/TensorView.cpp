// Host-side conversion of tensor views to float32.
#include "frontend/Readers/TensorView.h"

#include <fmt/format.h>

#include <cstring>

namespace loom::frontend {

int64_t TensorView::numElements() const {
  int64_t count = 1;
  for (int64_t dim : shape)
    count *= dim;
  return count;
}

StatusOr<std::vector<float>> toFloat32(const TensorView &tensor) {
  if (!isFloatingPoint(tensor.dtype))
    return LOOM_ERROR(StatusCode::kInvalidArgument,
                      fmt::format("tensor '{}' has dtype {}; only BF16, F16 and F32 "
                                  "convert to float32",
                                  tensor.name, dtypeName(tensor.dtype)));
  size_t count = tensor.bytes / dtypeSize(tensor.dtype);
  std::vector<float> out(count);
  const auto *bytes = static_cast<const uint8_t *>(tensor.data);
  if (tensor.dtype == DType::kF32) {
    if (count)
      std::memcpy(out.data(), bytes, count * sizeof(float));
    return out;
  }
  bool bf16 = tensor.dtype == DType::kBF16;
  for (size_t i = 0; i < count; ++i) {
    uint16_t bits;
    std::memcpy(&bits, bytes + 2 * i, sizeof(bits));
    out[i] = bf16 ? bfloat16ToFloat(bits) : halfToFloat(bits);
  }
  return out;
}

} // namespace loom::frontend

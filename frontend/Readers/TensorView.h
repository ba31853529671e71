// A borrowed view of one tensor's bytes inside a mapped weight file.
#pragma once

#include "frontend/Readers/DType.h"
#include "runtime/Support/Status.h"

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace loom::frontend {

/// One tensor of a safetensors file. Valid while the file that produced it is open.
struct TensorView {
  std::string_view name;
  DType dtype = DType::kF32;
  std::span<const int64_t> shape;
  const void *data = nullptr; ///< not necessarily aligned to the element size
  size_t bytes = 0;

  int64_t numElements() const;
};

/// Converts a BF16/F16/F32 tensor to float32 on the host (for CPU references);
/// other dtypes are an error naming the tensor.
StatusOr<std::vector<float>> toFloat32(const TensorView &tensor);

} // namespace loom::frontend

// The ggml tensor types a GGUF file may declare: block sizes, and f32 dequantization.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace loom::frontend {

/// One ggml tensor type. Elements are stored in blocks of `blockElements`
/// occupying `blockBytes` bytes each (1 element per block for plain types).
struct GgufTensorType {
  uint32_t id;           ///< ggml_type number in the file
  std::string_view name; ///< e.g. "Q4_1"
  int64_t blockElements;
  int64_t blockBytes;
  /// Writes `blocks * blockElements` floats to `out`; null if Loom cannot dequantize it.
  void (*dequantize)(const uint8_t *data, int64_t blocks, float *out);
};

/// The type with ggml id `id`, or nullptr for an id ggml does not define.
const GgufTensorType *findGgufTensorType(uint32_t id);

/// The names of the types Loom dequantizes, e.g. "F32, F16, Q4_0, Q4_1, Q8_0, BF16".
std::string dequantizableGgufTypes();

} // namespace loom::frontend

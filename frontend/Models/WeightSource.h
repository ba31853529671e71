// WeightSource: checkpoint tensors by name (safetensors today, GGUF later), as f32 or raw bytes.
#pragma once

#include "frontend/Readers/DType.h"
#include "runtime/Support/Status.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace loom::models {

/// Shape and storage element type of one checkpoint tensor.
struct WeightInfo {
  std::vector<int64_t> shape;
  frontend::DType dtype = frontend::DType::kF32;
};

/// Where a model's weights come from. Names are Hugging Face tensor names
/// ("model.layers.0.self_attn.q_proj.weight"); shapes are row-major in HF layout. An
/// implementation maps its format onto that (GGUF: rename, reorder RoPE rows, dequantize).
class WeightSource {
public:
  virtual ~WeightSource() = default;

  /// What the weights are read from, for error messages (e.g. the file path).
  virtual std::string description() const = 0;
  /// Every tensor name, sorted.
  virtual std::vector<std::string> names() const = 0;
  /// Shape and element type of `name`; kNotFound naming it when absent.
  virtual StatusOr<WeightInfo> info(std::string_view name) const = 0;
  /// The values of `name` as f32, row-major.
  virtual StatusOr<std::vector<float>> floats(std::string_view name) const = 0;
  /// The bytes of `name` stored as `info(name).dtype`, valid while the source lives. A source
  /// whose storage has no such form (quantized GGUF blocks) returns kInvalidArgument; use floats.
  virtual StatusOr<std::span<const std::byte>> bytes(std::string_view name) const = 0;
};

} // namespace loom::models

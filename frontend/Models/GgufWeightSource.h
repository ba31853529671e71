// A WeightSource over a GGUF model: HF names, HF layout, dequantized to f32 on load.
#pragma once

#include "frontend/Models/WeightSource.h"
#include "frontend/Readers/GgufModel.h"

#include <memory>

namespace loom::models {

/// The tensors of a GgufModel. Quantized blocks have no byte form: `bytes` is kInvalidArgument,
/// `floats` dequantizes (and restores q/k rows from llama.cpp's RoPE order).
class GgufWeightSource final : public WeightSource {
public:
  /// `model` must outlive the source.
  explicit GgufWeightSource(const frontend::GgufModel &model, std::string description)
      : model_(model), description_(std::move(description)) {}
  std::string description() const override { return description_; }
  std::vector<std::string> names() const override { return model_.tensorNames(); }
  StatusOr<WeightInfo> info(std::string_view name) const override;
  StatusOr<std::vector<float>> floats(std::string_view name) const override;
  StatusOr<std::span<const std::byte>> bytes(std::string_view name) const override;

private:
  const frontend::GgufModel &model_;
  std::string description_;
};

} // namespace loom::models

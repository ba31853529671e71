// A WeightSource over a Hugging Face safetensors checkpoint (one file or shards).
#pragma once

#include "frontend/Models/WeightSource.h"
#include "frontend/Readers/Safetensors.h"

namespace loom::models {

/// The tensors of a memory-mapped safetensors model; data is read in place.
class SafetensorsWeightSource final : public WeightSource {
public:
  /// Opens `path`: a .safetensors file or a model folder (see SafetensorsModel::open).
  static StatusOr<SafetensorsWeightSource> open(const std::string &path);

  std::string description() const override { return description_; }
  std::vector<std::string> names() const override { return model_.tensorNames(); }
  StatusOr<WeightInfo> info(std::string_view name) const override;
  StatusOr<std::vector<float>> floats(std::string_view name) const override;
  StatusOr<std::span<const std::byte>> bytes(std::string_view name) const override;

private:
  SafetensorsWeightSource(frontend::SafetensorsModel model, std::string description)
      : model_(std::move(model)), description_(std::move(description)) {}

  frontend::SafetensorsModel model_;
  std::string description_;
};

} // namespace loom::models

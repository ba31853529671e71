// GGUF tensors as checkpoint weights.
#include "frontend/Models/GgufWeightSource.h"

#include <fmt/format.h>

namespace loom::models {

StatusOr<WeightInfo> GgufWeightSource::info(std::string_view name) const {
  LOOM_ASSIGN_OR_RETURN(const frontend::GgufTensorInfo *tensor, model_.tensorInfo(name));
  // Every GGUF type is served as f32 (dequantized), so that is the dtype a loader sees.
  return WeightInfo{tensor->shape, frontend::DType::kF32};
}

StatusOr<std::vector<float>> GgufWeightSource::floats(std::string_view name) const {
  LOOM_ASSIGN_OR_RETURN(frontend::FloatTensor tensor, model_.loadTensor(name));
  return std::move(tensor.values);
}

StatusOr<std::span<const std::byte>> GgufWeightSource::bytes(std::string_view name) const {
  return LOOM_ERROR(StatusCode::kInvalidArgument,
                    fmt::format("{}: GGUF tensor '{}' is served as f32 values only (floats())",
                                description_, name));
}

} // namespace loom::models

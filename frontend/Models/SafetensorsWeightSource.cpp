// SafetensorsWeightSource: WeightSource calls answered from SafetensorsModel views.
#include "frontend/Models/SafetensorsWeightSource.h"

namespace loom::models {

StatusOr<SafetensorsWeightSource> SafetensorsWeightSource::open(const std::string &path) {
  LOOM_ASSIGN_OR_RETURN(frontend::SafetensorsModel model, frontend::SafetensorsModel::open(path));
  return SafetensorsWeightSource(std::move(model), path);
}

StatusOr<WeightInfo> SafetensorsWeightSource::info(std::string_view name) const {
  LOOM_ASSIGN_OR_RETURN(frontend::TensorView view, model_.tensor(name));
  return WeightInfo{{view.shape.begin(), view.shape.end()}, view.dtype};
}

StatusOr<std::vector<float>> SafetensorsWeightSource::floats(std::string_view name) const {
  LOOM_ASSIGN_OR_RETURN(frontend::TensorView view, model_.tensor(name));
  return frontend::toFloat32(view);
}

StatusOr<std::span<const std::byte>> SafetensorsWeightSource::bytes(std::string_view name) const {
  LOOM_ASSIGN_OR_RETURN(frontend::TensorView view, model_.tensor(name));
  return std::span<const std::byte>(static_cast<const std::byte *>(view.data), view.bytes);
}

} // namespace loom::models

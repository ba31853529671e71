// In-memory and safetensors weight sources.
#include "frontend/Reference/Interpreter/WeightSource.h"

#include <fmt/format.h>

namespace loom::ref {
namespace {

Status checkWeightShape(std::string_view name, const Shape &actual, const Shape &expected) {
  if (actual != expected)
    return LOOM_ERROR(StatusCode::kInvalidArgument,
                      fmt::format("weight '{}' has shape {}, the graph expects {}", name,
                                  shapeString(actual), shapeString(expected)));
  return Status::ok();
}

} // namespace

StatusOr<HostTensor> MapWeightSource::load(std::string_view name, ElementType type,
                                           const Shape &shape) {
  auto found = tensors_.find(name);
  if (found == tensors_.end())
    return LOOM_ERROR(StatusCode::kNotFound, fmt::format("no weight named '{}'", name));
  LOOM_RETURN_IF_ERROR(checkWeightShape(name, found->second.shape(), shape));
  auto values = found->second.floats();
  return HostTensor::fromFloats(type, shape, std::vector<float>(values.begin(), values.end()));
}

StatusOr<HostTensor> CheckpointWeightSource::load(std::string_view name, ElementType type,
                                                  const Shape &shape) {
  LOOM_ASSIGN_OR_RETURN(models::WeightInfo info, source_.info(name));
  LOOM_RETURN_IF_ERROR(checkWeightShape(name, info.shape, shape));
  LOOM_ASSIGN_OR_RETURN(std::vector<float> values, source_.floats(name));
  return HostTensor::fromFloats(type, shape, std::move(values));
}

} // namespace loom::ref

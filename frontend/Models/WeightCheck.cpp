// checkWeights: each needed weight looked up by name and compared with its checkpoint tensor.
#include "frontend/Models/WeightCheck.h"

#include <fmt/format.h>

namespace loom::models {
namespace {

std::string shapeText(const std::vector<int64_t> &shape) {
  return fmt::format("[{}]", fmt::join(shape, ", "));
}

/// Why `spec` cannot be loaded from `source`, or ok.
Status checkWeight(const WeightSpec &spec, const WeightSource &source) {
  StatusOr<WeightInfo> info = source.info(spec.name);
  if (!info.isOk())
    return Status(StatusCode::kNotFound,
                  fmt::format("weight '{}' {} is missing from {}", spec.name,
                              shapeText(spec.shape), source.description()));
  if (info->shape != spec.shape)
    return Status(StatusCode::kInvalidArgument,
                  fmt::format("weight '{}' has shape {} in {}, the graph needs {}", spec.name,
                              shapeText(info->shape), source.description(),
                              shapeText(spec.shape)));
  if (!frontend::isFloatingPoint(info->dtype))
    return Status(StatusCode::kInvalidArgument,
                  fmt::format("weight '{}' is {} in {}; weights must be BF16, F16 or F32",
                              spec.name, frontend::dtypeName(info->dtype),
                              source.description()));
  return Status::ok();
}

} // namespace

Status checkWeights(const std::vector<WeightSpec> &needed, const WeightSource &source) {
  Status first;
  size_t failures = 0;
  for (const WeightSpec &spec : needed) {
    Status status = checkWeight(spec, source);
    if (status.isOk())
      continue;
    if (failures++ == 0)
      first = status;
  }
  if (failures <= 1)
    return first;
  return Status(first.code(),
                fmt::format("{} (and {} more weights are missing or mis-shaped)", first.message(),
                            failures - 1));
}

} // namespace loom::models

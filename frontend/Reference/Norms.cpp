// Reference normalizations, one row at a time.
#include "frontend/Reference/Norms.h"

#include "frontend/Reference/TensorChecks.h"

#include <fmt/format.h>

#include <cmath>

namespace loom::ref {
namespace {

Status checkNormOperands(const HostTensor &input, const HostTensor &weight, const HostTensor *bias,
                         std::string_view op) {
  LOOM_RETURN_IF_ERROR(expectFloat(input, fmt::format("{} input", op)));
  if (input.rank() < 1)
    return LOOM_ERROR(StatusCode::kInvalidArgument, fmt::format("{} input must not be a scalar", op));
  LOOM_RETURN_IF_ERROR(expectFloat(weight, fmt::format("{} weight", op)));
  LOOM_RETURN_IF_ERROR(expectVector(weight, input.dim(-1), fmt::format("{} weight", op)));
  if (bias) {
    LOOM_RETURN_IF_ERROR(expectFloat(*bias, fmt::format("{} bias", op)));
    LOOM_RETURN_IF_ERROR(expectVector(*bias, input.dim(-1), fmt::format("{} bias", op)));
  }
  return Status::ok();
}

} // namespace

StatusOr<HostTensor> rmsNorm(const HostTensor &input, const HostTensor &weight, float eps) {
  LOOM_RETURN_IF_ERROR(checkNormOperands(input, weight, nullptr, "rms_norm"));
  HostTensor result = HostTensor::zeros(input.type(), input.shape());
  auto w = weight.floats();
  for (int64_t r = 0; r < input.numRows(); ++r) {
    auto x = input.row(r);
    auto y = result.row(r);
    double sumSquares = 0.0;
    for (float value : x)
      sumSquares += static_cast<double>(value) * value;
    double scale = 1.0 / std::sqrt(sumSquares / static_cast<double>(x.size()) + eps);
    for (size_t i = 0; i < x.size(); ++i)
      y[i] = static_cast<float>(x[i] * scale * w[i]);
  }
  result.roundToStorage();
  return result;
}

StatusOr<HostTensor> layerNorm(const HostTensor &input, const HostTensor &weight,
                               const HostTensor *bias, float eps) {
  LOOM_RETURN_IF_ERROR(checkNormOperands(input, weight, bias, "layer_norm"));
  HostTensor result = HostTensor::zeros(input.type(), input.shape());
  auto w = weight.floats();
  for (int64_t r = 0; r < input.numRows(); ++r) {
    auto x = input.row(r);
    auto y = result.row(r);
    double count = static_cast<double>(x.size());
    double sum = 0.0;
    for (float value : x)
      sum += value;
    double mean = sum / count;
    double sumSquares = 0.0;
    for (float value : x)
      sumSquares += (value - mean) * (value - mean);
    double scale = 1.0 / std::sqrt(sumSquares / count + eps);
    for (size_t i = 0; i < x.size(); ++i)
      y[i] = static_cast<float>((x[i] - mean) * scale * w[i] + (bias ? bias->floats()[i] : 0.0));
  }
  result.roundToStorage();
  return result;
}

} // namespace loom::ref

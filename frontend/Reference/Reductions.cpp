// Reference row reductions.
#include "frontend/Reference/Reductions.h"

#include "frontend/Reference/TensorChecks.h"

#include <cmath>

namespace loom::ref {

StatusOr<HostTensor> softmax(const HostTensor &input) {
  LOOM_RETURN_IF_ERROR(expectFloat(input, "softmax input"));
  if (input.rank() < 1)
    return LOOM_ERROR(StatusCode::kInvalidArgument, "softmax input must not be a scalar");
  HostTensor result = HostTensor::zeros(input.type(), input.shape());
  for (int64_t r = 0; r < input.numRows(); ++r) {
    auto x = input.row(r);
    auto y = result.row(r);
    double maxValue = -INFINITY;
    for (float value : x)
      maxValue = std::max(maxValue, static_cast<double>(value));
    double total = 0.0;
    for (float value : x)
      total += std::exp(value - maxValue);
    for (size_t i = 0; i < x.size(); ++i)
      y[i] = static_cast<float>(std::exp(x[i] - maxValue) / total);
  }
  result.roundToStorage();
  return result;
}

StatusOr<HostTensor> argmax(const HostTensor &input) {
  LOOM_RETURN_IF_ERROR(expectFloat(input, "argmax input"));
  if (input.rank() < 1 || input.dim(-1) == 0)
    return LOOM_ERROR(StatusCode::kInvalidArgument,
                      "argmax input must have a non-empty last dimension, got " +
                          input.typeString());
  Shape shape(input.shape().begin(), input.shape().end() - 1);
  HostTensor result = HostTensor::zeros(ElementType::kI32, shape);
  for (int64_t r = 0; r < input.numRows(); ++r) {
    auto x = input.row(r);
    int64_t best = 0;
    for (size_t i = 1; i < x.size(); ++i)
      if (x[i] > x[best] || std::isnan(x[best]))
        best = static_cast<int64_t>(i);
    result.ints()[r] = best;
  }
  return result;
}

} // namespace loom::ref

// Reference elementwise ops: each value computed in double, stored as f32, rounded to storage.
#include "frontend/Reference/Elementwise.h"

#include "frontend/Reference/TensorChecks.h"

#include <cmath>
#include <functional>

namespace loom::ref {
namespace {

StatusOr<HostTensor> mapUnary(const HostTensor &input, std::string_view what,
                              const std::function<double(double)> &function) {
  LOOM_RETURN_IF_ERROR(expectFloat(input, what));
  HostTensor result = HostTensor::zeros(input.type(), input.shape());
  auto in = input.floats();
  auto out = result.floats();
  for (size_t i = 0; i < in.size(); ++i)
    out[i] = static_cast<float>(function(in[i]));
  result.roundToStorage();
  return result;
}

StatusOr<HostTensor> mapBinary(const HostTensor &lhs, const HostTensor &rhs, std::string_view what,
                               const std::function<double(double, double)> &function) {
  LOOM_RETURN_IF_ERROR(expectFloat(lhs, what));
  LOOM_RETURN_IF_ERROR(expectSameType(lhs, rhs, what));
  HostTensor result = HostTensor::zeros(lhs.type(), lhs.shape());
  auto a = lhs.floats();
  auto b = rhs.floats();
  auto out = result.floats();
  for (size_t i = 0; i < a.size(); ++i)
    out[i] = static_cast<float>(function(a[i], b[i]));
  result.roundToStorage();
  return result;
}

} // namespace

StatusOr<HostTensor> add(const HostTensor &lhs, const HostTensor &rhs) {
  return mapBinary(lhs, rhs, "add", [](double a, double b) { return a + b; });
}

StatusOr<HostTensor> mul(const HostTensor &lhs, const HostTensor &rhs) {
  return mapBinary(lhs, rhs, "mul", [](double a, double b) { return a * b; });
}

StatusOr<HostTensor> silu(const HostTensor &input) {
  return mapUnary(input, "silu input", [](double x) { return x / (1.0 + std::exp(-x)); });
}

StatusOr<HostTensor> gelu(const HostTensor &input, GeluApproximation approximation) {
  if (approximation == GeluApproximation::kTanh)
    return mapUnary(input, "gelu input", [](double x) {
      const double kSqrtTwoOverPi = 0.7978845608028654;
      return 0.5 * x * (1.0 + std::tanh(kSqrtTwoOverPi * (x + 0.044715 * x * x * x)));
    });
  return mapUnary(input, "gelu input",
                  [](double x) { return 0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0))); });
}

StatusOr<HostTensor> cast(const HostTensor &input, ElementType to) {
  LOOM_RETURN_IF_ERROR(expectFloat(input, "cast input"));
  return HostTensor::fromFloats(to, input.shape(),
                                std::vector<float>(input.floats().begin(), input.floats().end()));
}

} // namespace loom::ref

// Reference RoPE: frequencies in double, each pair rotated by cos/sin of position·inv_freq.
#include "frontend/Reference/Rope.h"

#include "frontend/Reference/TensorChecks.h"

#include <fmt/format.h>

#include <cmath>
#include <numbers>

namespace loom::ref {

std::vector<double> ropeInverseFrequencies(const RopeParams &params) {
  std::vector<double> inverse(static_cast<size_t>(params.headDim / 2));
  for (size_t i = 0; i < inverse.size(); ++i)
    inverse[i] = std::pow(static_cast<double>(params.theta),
                          -2.0 * static_cast<double>(i) / static_cast<double>(params.headDim));
  if (!params.llama3)
    return inverse;
  const Llama3RopeScaling &s = *params.llama3;
  double original = static_cast<double>(s.originalMaxPosition);
  double lowFreqWavelength = original / s.lowFreqFactor;
  double highFreqWavelength = original / s.highFreqFactor;
  for (double &frequency : inverse) {
    double wavelength = 2.0 * std::numbers::pi / frequency;
    if (wavelength > lowFreqWavelength) {
      frequency /= s.factor;
    } else if (wavelength >= highFreqWavelength) {
      double smooth = (original / wavelength - s.lowFreqFactor) /
                      (static_cast<double>(s.highFreqFactor) - s.lowFreqFactor);
      frequency = (1.0 - smooth) * frequency / s.factor + smooth * frequency;
    }
  }
  return inverse;
}

namespace {

Status checkRope(const HostTensor &input, const HostTensor &positions, const RopeParams &params) {
  LOOM_RETURN_IF_ERROR(expectFloat(input, "rope input"));
  LOOM_RETURN_IF_ERROR(expectRank(input, 2, "rope input"));
  LOOM_RETURN_IF_ERROR(expectIndex(positions, "rope positions"));
  LOOM_RETURN_IF_ERROR(expectVector(positions, input.dim(0), "rope positions"));
  if (params.headDim <= 0 || params.headDim % 2 != 0 || input.dim(1) % params.headDim != 0)
    return LOOM_ERROR(StatusCode::kInvalidArgument,
                      fmt::format("rope head_dim {} must be positive, even and divide the {} "
                                  "features of a row",
                                  params.headDim, input.dim(1)));
  if (!(params.theta > 0.0f))
    return LOOM_ERROR(StatusCode::kInvalidArgument, "rope theta must be positive");
  return Status::ok();
}

} // namespace

StatusOr<HostTensor> rope(const HostTensor &input, const HostTensor &positions,
                          const RopeParams &params) {
  LOOM_RETURN_IF_ERROR(checkRope(input, positions, params));
  std::vector<double> inverse = ropeInverseFrequencies(params);
  const int64_t dim = params.headDim;
  const int64_t half = dim / 2;
  HostTensor result = HostTensor::zeros(input.type(), input.shape());
  for (int64_t t = 0; t < input.dim(0); ++t) {
    double position = static_cast<double>(positions.ints()[t]);
    auto x = input.row(t);
    auto y = result.row(t);
    for (int64_t head = 0; head < input.dim(1) / dim; ++head) {
      for (int64_t i = 0; i < half; ++i) {
        bool rotateHalf = params.style == RopeStyle::rotateHalf;
        int64_t first = head * dim + (rotateHalf ? i : 2 * i);
        int64_t second = first + (rotateHalf ? half : 1);
        double angle = position * inverse[i];
        double cosine = std::cos(angle), sine = std::sin(angle);
        y[first] = static_cast<float>(x[first] * cosine - x[second] * sine);
        y[second] = static_cast<float>(x[second] * cosine + x[first] * sine);
      }
    }
  }
  result.roundToStorage();
  return result;
}

} // namespace loom::ref

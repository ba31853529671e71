// RoPE in place (rotate-half and interleaved, theta, Llama-3 scaling, i32 positions) vs double.
#include "MemoryBoundTestSupport.h"

namespace loom::testing {
namespace {

/// transformers' _compute_llama3_parameters applied to theta^(-2i/D), in double.
double inverseFrequency(const RopeAttributes &a, int i, int headDim) {
  const double inverse = std::pow(double(a.theta), -2.0 * i / headDim);
  if (!(a.factor > 0))
    return inverse;
  const double wavelength = 2 * M_PI / inverse;
  const double lowWavelength = a.originalMaxPosition / double(a.lowFreqFactor);
  const double highWavelength = a.originalMaxPosition / double(a.highFreqFactor);
  if (wavelength < highWavelength)
    return inverse;
  if (wavelength > lowWavelength)
    return inverse / a.factor;
  const double smooth = (a.originalMaxPosition / wavelength - a.lowFreqFactor) /
                        (double(a.highFreqFactor) - a.lowFreqFactor);
  return (1 - smooth) * inverse / a.factor + smooth * inverse;
}

/// Rotates the first spec.heads heads of each row; the rest of the row stride stays as it was.
std::vector<double> referenceRope(const RopeSpec &spec, const HostTensor &x, long long stride,
                                  const std::vector<int> &positions) {
  std::vector<double> out(x.values.begin(), x.values.end());
  const int d = spec.headDim, half = d / 2;
  for (size_t r = 0; r < positions.size(); ++r) {
    for (int h = 0; h < spec.heads; ++h) {
      const size_t base = r * stride + size_t(h) * d;
      for (int i = 0; i < half; ++i) {
        const double angle = positions[r] * inverseFrequency(spec.attributes, i, d);
        const size_t first = spec.interleaved ? base + 2 * i : base + i;
        const size_t second = spec.interleaved ? first + 1 : first + half;
        const double a = x.values[first], b = x.values[second];
        out[first] = a * std::cos(angle) - b * std::sin(angle);
        out[second] = b * std::cos(angle) + a * std::sin(angle);
      }
    }
  }
  return out;
}

class RopeGpuTest : public MemoryBoundGpuTest, public ::testing::WithParamInterface<RopeSpec> {};

TEST_P(RopeGpuTest, RotatesInPlace) {
  const RopeSpec spec = GetParam();
  const KernelSpec kernelSpec = ropeKernel(spec);
  // 40 heads stand for the Q and K heads of a packed QKV row: 8 V heads follow, untouched.
  const long long stride = (spec.heads + (spec.heads == 40 ? 8 : 0)) * spec.headDim;
  const int maxPosition = spec.attributes.factor > 0 ? 131072 : 8192;
  for (int rows : {1, 7, 33, 4095}) {
    SCOPED_TRACE(fmt::format("{} rows={}", kernelSpec.name, rows));
    const HostTensor x = HostTensor::random(spec.type, size_t(rows) * stride, rows + 1);
    std::vector<int> positions(rows);
    for (int r = 0; r < rows; ++r)
      positions[r] = r == 0 ? 0 : int((r * 2654435761u) % maxPosition);
    positions[rows - 1] = maxPosition - 1;
    std::vector<uint8_t> positionBytes(rows * 4);
    std::memcpy(positionBytes.data(), positions.data(), positionBytes.size());
    const uint64_t xDev = upload(x);
    rt::KernelArgs args;
    args.add(xDev).add(stride).add(uploadBytes(positionBytes)).add(rows);
    launch(kernelSpec, rows, args);
    EXPECT_TRUE(allClose(download(spec.type, xDev, x.size()),
                         referenceRope(spec, x, stride, positions), 2e-6));
  }
}

INSTANTIATE_TEST_SUITE_P(Table, RopeGpuTest, ::testing::ValuesIn(testRopes()),
                         [](const auto &info) { return ropeKernel(info.param).name; });

} // namespace
} // namespace loom::testing

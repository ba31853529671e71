// loom-external: a small graph built with Loom's C++ DSL, JIT-compiled by an installed Loom and
// run — on the GPU when there is one, always on the CPU reference interpreter — each result
// checked against the same math written as plain C++ loops here. Exit status 0 when all agree.
#include "frontend/Builder/Builder.h"
#include "frontend/Jit/Jit.h"
#include "loom/Version.h"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <vector>

namespace {

constexpr int64_t kTokens = 5, kHidden = 8, kOut = 4;
constexpr float kEps = 1e-5f;

/// y = linear(silu(rms_norm(x, norm.weight)), proj.weight), in f32.
loom::StatusOr<mlir::OwningOpRef<mlir::ModuleOp>> buildGraph(mlir::MLIRContext &context) {
  loom::Builder b(context, "norm_silu_proj");
  b.setWeightDType(loom::DType::f32);
  loom::Tensor x = b.input("x", {loom::Dim::dynamic("tokens", 64), kHidden}, loom::DType::f32);
  loom::Tensor h = b.rmsNorm(x, b.weight("norm.weight", {kHidden}), kEps);
  loom::Tensor y = b.linear(b.silu(h), b.weight("proj.weight", {kOut, kHidden}));
  return b.finish({{"y", y}});
}

/// `count` values in (-1, 1), never zero, from a fixed seed.
std::vector<float> pseudoRandom(int64_t count, uint32_t seed) {
  std::vector<float> values;
  for (int64_t i = 0; i < count; ++i) {
    seed = seed * 1664525u + 1013904223u;
    values.push_back((static_cast<float>(seed >> 8) + 0.5f) / 8388608.0f - 1.0f);
  }
  return values;
}

/// The graph's math as plain loops, in double.
std::vector<double> expectedOutput(const std::vector<float> &x, const std::vector<float> &gain,
                                   const std::vector<float> &proj) {
  std::vector<double> y(kTokens * kOut);
  for (int64_t t = 0; t < kTokens; ++t) {
    double sumSquares = 0;
    for (int64_t k = 0; k < kHidden; ++k)
      sumSquares += double(x[t * kHidden + k]) * x[t * kHidden + k];
    const double scale = 1.0 / std::sqrt(sumSquares / kHidden + kEps);
    std::vector<double> activated(kHidden);
    for (int64_t k = 0; k < kHidden; ++k) {
      const double h = x[t * kHidden + k] * scale * gain[k];
      activated[k] = h / (1.0 + std::exp(-h));
    }
    for (int64_t o = 0; o < kOut; ++o)
      for (int64_t k = 0; k < kHidden; ++k)
        y[t * kOut + o] += activated[k] * proj[o * kHidden + k];
  }
  return y;
}

/// Prints the first row and whether every element is within 1e-4·max(1, |expected|).
bool report(const char *where, const loom::ref::HostTensor &y,
            const std::vector<double> &expected) {
  if (y.shape() != loom::ref::Shape{kTokens, kOut}) {
    std::printf("%s: y is %s, not [%lld, %lld]\n", where, y.typeString().c_str(),
                static_cast<long long>(kTokens), static_cast<long long>(kOut));
    return false;
  }
  double maxError = 0;
  bool within = true;
  for (size_t i = 0; i < expected.size(); ++i) {
    const double error = std::fabs(y.floats()[i] - expected[i]);
    maxError = std::fmax(maxError, error);
    within = within && error <= 1e-4 * std::fmax(1.0, std::fabs(expected[i]));
  }
  std::printf("%s: y[0] = [%.5f, %.5f, %.5f, %.5f]; plain C++ loops: [%.5f, %.5f, %.5f, %.5f]\n",
              where, y.floats()[0], y.floats()[1], y.floats()[2], y.floats()[3], expected[0],
              expected[1], expected[2], expected[3]);
  std::printf("%s: %s the plain C++ loops (max abs error %.3g)\n", where,
              within ? "matches" : "DIFFERS FROM", maxError);
  return within;
}

int fail(const loom::Status &status) {
  std::fprintf(stderr, "error: %s\n", status.toString().c_str());
  return 1;
}

} // namespace

int main() {
  std::printf("Loom %s\n", LOOM_VERSION);
  mlir::MLIRContext context;
  auto graph = buildGraph(context);
  if (!graph.isOk())
    return fail(graph.status());

  auto module = loom::jit(**graph); // in-process: MLIR pipeline → CUDA C++; no GPU needed
  if (!module.isOk())
    return fail(module.status());
  std::printf("jit: %zu kernel(s) for %s\n", module->manifest().kernels.size(),
              module->arch().c_str());

  const std::vector<float> x = pseudoRandom(kTokens * kHidden, 1);
  const std::vector<float> gain = pseudoRandom(kHidden, 2);
  const std::vector<float> proj = pseudoRandom(kOut * kHidden, 3);
  using loom::ref::ElementType;
  using loom::ref::HostTensor;
  auto xTensor = HostTensor::fromFloats(ElementType::kF32, {kTokens, kHidden}, x);
  auto gainTensor = HostTensor::fromFloats(ElementType::kF32, {kHidden}, gain);
  auto projTensor = HostTensor::fromFloats(ElementType::kF32, {kOut, kHidden}, proj);
  if (!xTensor.isOk() || !gainTensor.isOk() || !projTensor.isOk())
    return fail(!xTensor.isOk() ? xTensor.status() : !gainTensor.isOk() ? gainTensor.status()
                                                                         : projTensor.status());
  if (loom::Status bound =
          module->bindWeights({{"norm.weight", *gainTensor}, {"proj.weight", *projTensor}});
      !bound.isOk())
    return fail(bound);
  const loom::HostTensors inputs{{"x", *xTensor}};
  const std::vector<double> expected = expectedOutput(x, gain, proj);

  auto reference = module->reference(inputs);
  if (!reference.isOk())
    return fail(reference.status());
  bool agree = report("cpu reference interpreter", reference->at("y"), expected);

  auto devices = loom::rt::deviceCount();
  if (!devices.isOk() || *devices == 0) {
    std::printf("gpu: none here, not run (%s)\n",
                devices.isOk() ? "no CUDA device" : devices.status().message().c_str());
  } else {
    auto gpu = module->call(inputs);
    if (!gpu.isOk())
      return fail(gpu.status());
    agree = report("gpu", gpu->at("y"), expected) && agree;
  }
  return agree ? 0 : 1;
}

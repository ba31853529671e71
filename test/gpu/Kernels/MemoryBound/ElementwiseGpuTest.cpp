// Elementwise chains (add, mul, silu, gelu tanh/erf, casts, silu(a)*b, mixed trees) against double.
#include "MemoryBoundTestSupport.h"

#include <functional>

namespace loom::testing {
namespace {

double silu(double v) { return v / (1.0 + std::exp(-v)); }
double geluTanh(double v) {
  return 0.5 * v * (1.0 + std::tanh(0.7978845608028654 * (v + 0.044715 * v * v * v)));
}
double geluErf(double v) { return 0.5 * v * (1.0 + std::erf(v * 0.7071067811865476)); }

/// The double meaning of each chain of testChains(), by name.
using ChainReference = std::function<double(const std::vector<double> &in)>;
const std::map<std::string, ChainReference> &chainReferences() {
  static const std::map<std::string, ChainReference> kTable = {
      {"silu_mul_bf16", [](auto &in) { return silu(in[0]) * in[1]; }},
      {"silu_mul_f16", [](auto &in) { return silu(in[0]) * in[1]; }},
      {"silu_mul_f32", [](auto &in) { return silu(in[0]) * in[1]; }},
      {"add_bf16", [](auto &in) { return in[0] + in[1]; }},
      {"mul_f16", [](auto &in) { return in[0] * in[1]; }},
      {"silu_bf16", [](auto &in) { return silu(in[0]); }},
      {"gelu_tanh_bf16", [](auto &in) { return geluTanh(in[0]); }},
      {"gelu_erf_bf16", [](auto &in) { return geluErf(in[0]); }},
      {"gelu_tanh_f32", [](auto &in) { return geluTanh(in[0]); }},
      {"gelu_erf_f32", [](auto &in) { return geluErf(in[0]); }},
      {"cast_bf16_f32", [](auto &in) { return in[0]; }},
      {"cast_f32_bf16", [](auto &in) { return double(roundTo(DType::kBf16, float(in[0]))); }},
      {"cast_f16_bf16", [](auto &in) { return double(roundTo(DType::kBf16, float(in[0]))); }},
      {"add_cast_silu_mul",
       [](auto &in) { return silu(roundTo(DType::kBf16, float(in[0] + in[1]))) * in[2]; }},
      {"mul_gelu_add", [](auto &in) { return in[0] * geluTanh(in[1]) + in[2]; }},
  };
  return kTable;
}

class ElementwiseGpuTest : public MemoryBoundGpuTest,
                           public ::testing::WithParamInterface<ChainSpec> {};

TEST_P(ElementwiseGpuTest, MatchesDoubleReference) {
  const ChainSpec chain = GetParam();
  const KernelSpec spec = chainKernel(chain);
  auto reference = chainReferences().find(chain.name);
  ASSERT_NE(reference, chainReferences().end()) << "no reference for " << chain.name;
  // Element counts: one, a short tail, a count that is not a multiple of the packet, 4095 x 4096.
  for (long long n : {1LL, 7LL * 576, 33LL * 2048 + 5, 4095LL * 4096}) {
    SCOPED_TRACE(fmt::format("{} n={}", spec.name, n));
    std::vector<HostTensor> inputs;
    rt::KernelArgs args;
    const uint64_t outDev = poisoned(n * dtypeInfo(chain.out).bytes);
    args.add(n).add(outDev);
    for (size_t k = 0; k < chain.inputs.size(); ++k) {
      inputs.push_back(HostTensor::random(chain.inputs[k], n, 31 * k + n, 3.0f));
      args.add(upload(inputs.back()));
    }
    launch(spec, n, args);
    std::vector<double> ref(n), in(inputs.size());
    for (long long e = 0; e < n; ++e) {
      for (size_t k = 0; k < inputs.size(); ++k)
        in[k] = inputs[k].values[e];
      ref[e] = reference->second(in);
    }
    EXPECT_TRUE(allClose(download(chain.out, outDev, n), ref));
  }
}

INSTANTIATE_TEST_SUITE_P(Table, ElementwiseGpuTest, ::testing::ValuesIn(testChains()),
                         [](const auto &info) { return info.param.name; });

} // namespace
} // namespace loom::testing

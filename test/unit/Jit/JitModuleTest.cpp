// JitModule without a GPU: weight binding, call errors before the device, the reference run,
// compile errors surfaced as Status.
#include "frontend/Jit/Jit.h"
#include "test/unit/Jit/JitGraphs.h"

#include <gtest/gtest.h>

#include <cmath>

namespace loom {
namespace {

/// A bf16 tensor of `shape` with values that are not all equal and never zero.
ref::HostTensor ramp(const ref::Shape &shape, float scale) {
  std::vector<float> values(static_cast<size_t>(ref::elementCount(shape)));
  for (size_t i = 0; i < values.size(); ++i)
    values[i] = scale * (static_cast<float>(i % 17) - 8.5f) / 8.0f;
  return *ref::HostTensor::fromFloats(ref::ElementType::kBF16, shape, std::move(values));
}

/// The add+norm graph, 64 columns, at most 32 rows.
class JitModuleTest : public testing::AddNormJitTest<64, 32> {
protected:
  HostTensors inputs(int64_t tokens) {
    return {{"h", ramp({tokens, 64}, 1.0f)}, {"residual", ramp({tokens, 64}, -0.37f)}};
  }
};

TEST_F(JitModuleTest, DescribesTheGraph) {
  ASSERT_EQ(module_->weights().size(), 1u);
  EXPECT_EQ(module_->weights()[0].name, "norm.weight");
  EXPECT_EQ(module_->weights()[0].shape, (ref::Shape{64}));
  ASSERT_EQ(module_->outputs().size(), 2u);
  EXPECT_EQ(module_->outputs()[0].name, "sum");
  EXPECT_EQ(module_->outputs()[1].name, "normed");
  EXPECT_EQ(module_->kernelSources().size(), module_->manifest().kernels.size());
  EXPECT_EQ(module_->bounds().at("tokens"), 32);
  EXPECT_EQ(module_->loadReport(), nullptr);
}

TEST_F(JitModuleTest, CallsAreCheckedBeforeTheDevice) {
  HostTensors unknown = inputs(4);
  unknown["hidden"] = ramp({4, 64}, 1.0f);
  auto result = module_->call(unknown);
  ASSERT_FALSE(result.isOk());
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(result.status().message().find("no input 'hidden'"), std::string::npos);

  auto tooLong = module_->call(inputs(33));
  ASSERT_FALSE(tooLong.isOk());
  EXPECT_NE(tooLong.status().message().find("exceeds its declared bound 32"), std::string::npos)
      << tooLong.status().message();

  auto unbound = module_->call(inputs(4));
  ASSERT_FALSE(unbound.isOk());
  EXPECT_EQ(unbound.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(unbound.status().message().find("weights are not bound"), std::string::npos);
  EXPECT_NE(unbound.status().message().find("norm.weight"), std::string::npos);

  HostTensors ids = inputs(4);
  ids["h"] = *ref::HostTensor::fromInts(ref::ElementType::kI32, {4, 64},
                                         std::vector<int64_t>(4 * 64, 1));
  auto wrongType = module_->call(ids);
  ASSERT_FALSE(wrongType.isOk());
  EXPECT_NE(wrongType.status().message().find("input 'h' is i32 but the graph declares bf16"),
            std::string::npos)
      << wrongType.status().message();
}

TEST_F(JitModuleTest, WeightsAreCheckedWhenBound) {
  Status missing = module_->bindWeights(HostTensors{});
  EXPECT_EQ(missing.code(), StatusCode::kNotFound);
  EXPECT_NE(missing.message().find("norm.weight"), std::string::npos) << missing.message();
  Status wrongShape = module_->bindWeights(HostTensors{{"norm.weight", ramp({63}, 1.0f)}});
  EXPECT_EQ(wrongShape.code(), StatusCode::kInvalidArgument) << wrongShape.toString();
  EXPECT_TRUE(module_->bindWeights(HostTensors{{"norm.weight", ramp({64}, 1.0f)}}).isOk());
}

TEST_F(JitModuleTest, ReferenceRunsTheGraphOnTheBoundWeights) {
  ref::HostTensor gain = ramp({64}, 2.0f);
  ASSERT_TRUE(module_->bindWeights(HostTensors{{"norm.weight", gain}}).isOk());
  HostTensors given = inputs(5);
  auto outputs = module_->reference(given);
  ASSERT_TRUE(outputs.isOk()) << outputs.status().toString();
  const ref::HostTensor &sum = outputs->at("sum"), &normed = outputs->at("normed");
  ASSERT_EQ(sum.shape(), (ref::Shape{5, 64}));
  ASSERT_EQ(normed.shape(), (ref::Shape{5, 64}));
  for (int64_t row = 0; row < 5; ++row) {
    double squares = 0;
    std::vector<float> expectedSum(64);
    for (int64_t c = 0; c < 64; ++c) {
      float h = given.at("h").row(row)[c], r = given.at("residual").row(row)[c];
      expectedSum[c] = ref::roundToElementType(h + r, ref::ElementType::kBF16);
      EXPECT_EQ(sum.row(row)[c], expectedSum[c]) << "sum[" << row << ", " << c << "]";
      squares += double(expectedSum[c]) * expectedSum[c];
    }
    double inverseRms = 1.0 / std::sqrt(squares / 64 + 1e-6);
    for (int64_t c = 0; c < 64; ++c) {
      double n = ref::roundToElementType(float(expectedSum[c] * inverseRms * gain.floats()[c]),
                                         ref::ElementType::kBF16);
      double silu = n / (1 + std::exp(-n));
      EXPECT_NEAR(normed.row(row)[c], silu, 1e-2 * std::abs(silu) + 1e-3)
          << "normed[" << row << ", " << c << "]";
    }
  }
}

TEST_F(JitModuleTest, FloatInputsAreRoundedToTheDeclaredType) {
  ASSERT_TRUE(module_->bindRandomWeights(3).isOk());
  HostTensors bf16 = inputs(3);
  HostTensors f32;
  for (const auto &[name, tensor] : bf16) {
    std::vector<float> values(tensor.floats().begin(), tensor.floats().end());
    for (float &value : values)
      value *= 1.0f + 0x1p-10f; // under half a bf16 ulp (2^-9 relative): rounds back
    f32[name] = *ref::HostTensor::fromFloats(ref::ElementType::kF32, tensor.shape(), values);
  }
  auto fromBf16 = module_->reference(bf16);
  auto fromF32 = module_->reference(f32);
  ASSERT_TRUE(fromBf16.isOk() && fromF32.isOk());
  for (const char *name : {"sum", "normed"}) {
    auto a = fromBf16->at(name).floats(), b = fromF32->at(name).floats();
    EXPECT_TRUE(std::equal(a.begin(), a.end(), b.begin(), b.end())) << name;
  }
}

TEST_F(JitModuleTest, BoundWeightsAreCopies) {
  HostTensors reference;
  {
    HostTensors weights{{"norm.weight", ramp({64}, 2.0f)}};
    ASSERT_TRUE(module_->bindWeights(weights).isOk());
    auto before = module_->reference(inputs(3));
    ASSERT_TRUE(before.isOk()) << before.status().toString();
    reference = std::move(*before);
    // The caller's tensors change and go away; the module keeps what it was given.
    for (float &value : weights.at("norm.weight").floats())
      value = 0.0f;
  }
  auto after = module_->reference(inputs(3));
  ASSERT_TRUE(after.isOk()) << after.status().toString();
  for (const char *name : {"sum", "normed"}) {
    auto a = reference.at(name).floats(), b = after->at(name).floats();
    EXPECT_TRUE(std::equal(a.begin(), a.end(), b.begin(), b.end())) << name;
  }
  // Rebinding replaces them: another gain, another output.
  ASSERT_TRUE(module_->bindWeights(HostTensors{{"norm.weight", ramp({64}, -1.0f)}}).isOk());
  auto rebound = module_->reference(inputs(3));
  ASSERT_TRUE(rebound.isOk());
  auto a = reference.at("normed").floats(), b = rebound->at("normed").floats();
  EXPECT_FALSE(std::equal(a.begin(), a.end(), b.begin(), b.end()));
}

TEST_F(JitModuleTest, WithoutAGpuACallIsUnavailableNotACrash) {
  StatusOr<int> devices = rt::deviceCount();
  if (devices.isOk() && *devices > 0)
    GTEST_SKIP() << "a GPU is present; test/gpu/Frontend runs the call";
  ASSERT_TRUE(module_->bindRandomWeights(1).isOk());
  auto result = module_->call(inputs(4));
  ASSERT_FALSE(result.isOk());
  EXPECT_EQ(result.status().code(), StatusCode::kUnavailable) << result.status().toString();
  EXPECT_FALSE(module_->context().isOk());
}

TEST(JitCompileErrorTest, PipelineDiagnosticsComeBackAsCompileError) {
  JitCache cache("");
  auto module = jit(std::string_view(testing::kUnlowerableGraph), {"sm_90a"}, cache);
  ASSERT_FALSE(module.isOk());
  EXPECT_EQ(module.status().code(), StatusCode::kCompileError) << module.status().toString();
  EXPECT_NE(module.status().message().find("compile() for sm_90a failed"), std::string::npos);
  EXPECT_NE(module.status().message().find(testing::kUnlowerableDiagnostic), std::string::npos)
      << module.status().message();
  EXPECT_EQ(cache.stats().failures, 1u);
  EXPECT_EQ(cache.size(), 0u); // failures are not cached
  auto again = jit(std::string_view(testing::kUnlowerableGraph), {"sm_90a"}, cache);
  EXPECT_FALSE(again.isOk());
  EXPECT_EQ(cache.stats().failures, 2u);
}

} // namespace
} // namespace loom

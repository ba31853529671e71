// Elementwise, norm, gemm, embedding and reduction ops against hand-computed values.
#include "frontend/Reference/Elementwise.h"
#include "frontend/Reference/Embedding.h"
#include "frontend/Reference/Gemm.h"
#include "frontend/Reference/Norms.h"
#include "frontend/Reference/Reductions.h"

#include "TestTensors.h"

#include <cmath>

namespace loom::ref {
namespace {

using namespace loom::ref::testing;

TEST(ElementwiseTest, AddMulRoundOnceToStorage) {
  HostTensor a = floats({2}, {1.0f, 2.0f}, ElementType::kBF16);
  HostTensor b = floats({2}, {0x1p-8f, 3.0f}, ElementType::kBF16);
  HostTensor sum = valueOf(add(a, b));
  EXPECT_EQ(sum.floats()[0], 1.0f); // 1 + 2^-8 ties to even in bf16
  EXPECT_EQ(sum.floats()[1], 5.0f);
  EXPECT_EQ(valueOf(mul(a, b)).floats()[1], 6.0f);
  EXPECT_FALSE(add(a, floats({2}, {1, 2})).isOk()); // bf16 + f32
}

TEST(ElementwiseTest, ActivationsMatchClosedForms) {
  HostTensor x = floats({3}, {-2.0f, 0.0f, 1.0f});
  HostTensor s = valueOf(silu(x));
  EXPECT_FLOAT_EQ(s.floats()[0], -2.0f / (1.0f + std::exp(2.0f)));
  EXPECT_EQ(s.floats()[1], 0.0f);
  EXPECT_FLOAT_EQ(s.floats()[2], 0.7310585786f);
  HostTensor exact = valueOf(gelu(x, GeluApproximation::kNone));
  EXPECT_FLOAT_EQ(exact.floats()[2], 0.8413447461f);
  EXPECT_FLOAT_EQ(exact.floats()[0], -0.0455002639f);
  HostTensor tanhGelu = valueOf(gelu(x, GeluApproximation::kTanh));
  EXPECT_FLOAT_EQ(tanhGelu.floats()[2], 0.8411919906f);
}

TEST(ElementwiseTest, CastRoundsToTheTarget) {
  HostTensor x = floats({2}, {3.14159265f, 65520.0f});
  HostTensor half = valueOf(cast(x, ElementType::kF16));
  EXPECT_EQ(half.type(), ElementType::kF16);
  EXPECT_EQ(half.floats()[0], 3.140625f);
  EXPECT_EQ(half.floats()[1], INFINITY);
}

TEST(NormTest, RmsNormHandValues) {
  HostTensor x = floats({2, 2}, {3, 4, 1, -1});
  HostTensor w = floats({2}, {1, 2});
  HostTensor y = valueOf(rmsNorm(x, w, 0.0f));
  float rms = std::sqrt(12.5f);
  EXPECT_FLOAT_EQ(y.floats()[0], 3 / rms);
  EXPECT_FLOAT_EQ(y.floats()[1], 8 / rms);
  EXPECT_FLOAT_EQ(y.floats()[2], 1.0f);
  EXPECT_FLOAT_EQ(y.floats()[3], -2.0f);
  EXPECT_FALSE(rmsNorm(x, floats({3}, {1, 1, 1}), 0.0f).isOk());
}

TEST(NormTest, LayerNormHandValues) {
  HostTensor x = floats({1, 4}, {1, 2, 3, 4});
  HostTensor w = floats({4}, {1, 1, 2, 2});
  HostTensor b = floats({4}, {0, 1, 0, 1});
  HostTensor y = valueOf(layerNorm(x, w, &b, 0.0f));
  float sd = std::sqrt(1.25f);
  EXPECT_FLOAT_EQ(y.floats()[0], -1.5f / sd);
  EXPECT_FLOAT_EQ(y.floats()[1], -0.5f / sd + 1);
  EXPECT_FLOAT_EQ(y.floats()[2], 1.0f / sd);
  EXPECT_FLOAT_EQ(y.floats()[3], 3.0f / sd + 1);
}

TEST(GemmTest, LinearHandValues) {
  HostTensor x = floats({2, 3}, {1, 2, 3, 4, 5, 6});
  HostTensor w = floats({2, 3}, {1, 0, -1, 2, 1, 0});
  HostTensor b = floats({2}, {10, 20});
  HostTensor y = valueOf(linear(x, w, &b));
  EXPECT_EQ(y.shape(), (Shape{2, 2}));
  EXPECT_EQ(std::vector<float>(y.floats().begin(), y.floats().end()),
            (std::vector<float>{8, 24, 8, 33}));
  EXPECT_FALSE(linear(x, floats({2, 2}, {1, 2, 3, 4}), nullptr).isOk());
}

TEST(GemmTest, BatchedMatmulHandValues) {
  HostTensor a = floats({2, 1, 2}, {1, 2, 3, 4});
  HostTensor b = floats({2, 2, 2}, {1, 0, 0, 1, 0, 1, 1, 0});
  HostTensor c = valueOf(matmul(a, b));
  EXPECT_EQ(std::vector<float>(c.floats().begin(), c.floats().end()),
            (std::vector<float>{1, 2, 4, 3}));
}

TEST(GemmTest, ParallelRowsEqualSerialAndLinearEqualsMatmulOfTranspose) {
  HostTensor x = randomFloats({37, 24}, 1);
  HostTensor w = randomFloats({19, 24}, 2);
  ThreadPool pool(2);
  HostTensor serial = valueOf(linear(x, w, nullptr));
  HostTensor parallel = valueOf(linear(x, w, nullptr, &pool));
  EXPECT_EQ(maxAbsDiff(serial, parallel), 0.0);
  std::vector<float> transposed(24 * 19);
  for (int n = 0; n < 19; ++n)
    for (int k = 0; k < 24; ++k)
      transposed[k * 19 + n] = w.floats()[n * 24 + k];
  HostTensor viaMatmul = valueOf(matmul(x, floats({24, 19}, transposed), &pool));
  EXPECT_EQ(maxAbsDiff(serial, viaMatmul), 0.0);
}

TEST(EmbeddingTest, GathersRowsAndRejectsBadIds) {
  HostTensor table = floats({3, 2}, {0, 1, 10, 11, 20, 21});
  HostTensor rows = valueOf(embedding(table, ints({3}, {2, 0, 2})));
  EXPECT_EQ(std::vector<float>(rows.floats().begin(), rows.floats().end()),
            (std::vector<float>{20, 21, 0, 1, 20, 21}));
  auto bad = embedding(table, ints({1}, {3}));
  ASSERT_FALSE(bad.isOk());
  EXPECT_NE(bad.status().message().find("embedding id 3"), std::string::npos);
  EXPECT_FALSE(embedding(table, ints({1}, {-1})).isOk());
}

TEST(ReductionTest, SoftmaxAndArgmax) {
  HostTensor x = floats({2, 2}, {0.0f, std::log(2.0f), 5.0f, 5.0f});
  HostTensor p = valueOf(softmax(x));
  EXPECT_FLOAT_EQ(p.floats()[0], 1.0f / 3);
  EXPECT_FLOAT_EQ(p.floats()[1], 2.0f / 3);
  EXPECT_FLOAT_EQ(p.floats()[2], 0.5f);
  HostTensor ids = valueOf(argmax(floats({2, 4}, {1, 3, 3, 2, -1, -1, -1, -1})));
  EXPECT_EQ(ids.type(), ElementType::kI32);
  EXPECT_EQ(ids.ints()[0], 1); // lowest index on ties
  EXPECT_EQ(ids.ints()[1], 0);
}

} // namespace
} // namespace loom::ref

// RoPE: hand rotations, rotate-half vs interleaved by a permutation, Llama-3 frequencies.
#include "frontend/Reference/Rope.h"

#include "TestTensors.h"

#include <cmath>
#include <numbers>

namespace loom::ref {
namespace {

using namespace loom::ref::testing;

TEST(RopeTest, RotatesPairsByPositionTimesFrequency) {
  // head_dim 4: inv_freq = [1, theta^-1/2] = [1, 0.01] with theta 10^4.
  RopeParams params{4, 10000.0f, RopeStyle::rotateHalf, std::nullopt};
  HostTensor x = floats({2, 4}, {1, 0, 0, 1, 1, 2, 3, 4});
  HostTensor y = valueOf(rope(x, ints({2}, {3, 0}), params));
  // Row 0, position 3: pair (0, 2) = (1, 0) → (cos 3, sin 3); pair (1, 3) = (0, 1) rotated by 0.03.
  EXPECT_FLOAT_EQ(y.floats()[0], std::cos(3.0f));
  EXPECT_FLOAT_EQ(y.floats()[2], std::sin(3.0f));
  EXPECT_FLOAT_EQ(y.floats()[1], -std::sin(0.03f));
  EXPECT_FLOAT_EQ(y.floats()[3], std::cos(0.03f));
  // Position 0 is the identity.
  EXPECT_EQ(std::vector<float>(y.row(1).begin(), y.row(1).end()), (std::vector<float>{1, 2, 3, 4}));
}

TEST(RopeTest, InterleavedIsRotateHalfUnderThePairPermutation) {
  const int64_t dim = 8, heads = 3, tokens = 5;
  HostTensor x = randomFloats({tokens, heads * dim}, 3);
  HostTensor positions = ints({tokens}, {0, 1, 7, 100, 4095});
  // permuted[h·D + i] = x[h·D + 2i], permuted[h·D + D/2 + i] = x[h·D + 2i + 1].
  auto toHalfOrder = [&](const HostTensor &interleaved) {
    std::vector<float> values(interleaved.floats().size());
    for (int64_t t = 0; t < tokens; ++t)
      for (int64_t h = 0; h < heads; ++h)
        for (int64_t i = 0; i < dim / 2; ++i) {
          int64_t base = t * heads * dim + h * dim;
          values[base + i] = interleaved.floats()[base + 2 * i];
          values[base + dim / 2 + i] = interleaved.floats()[base + 2 * i + 1];
        }
    return floats(interleaved.shape(), values);
  };
  RopeParams half{dim, 500000.0f, RopeStyle::rotateHalf, std::nullopt};
  RopeParams interleaved = half;
  interleaved.style = RopeStyle::interleaved;
  HostTensor viaInterleaved = toHalfOrder(valueOf(rope(x, positions, interleaved)));
  HostTensor viaHalf = valueOf(rope(toHalfOrder(x), positions, half));
  EXPECT_EQ(maxAbsDiff(viaInterleaved, viaHalf), 0.0);
  EXPECT_GT(maxAbsDiff(x, viaHalf), 0.1); // it did rotate
}

TEST(RopeTest, Llama3FrequenciesFollowTransformers) {
  // Llama 3.1 8B: theta 5e5, D 128, factor 8, low 1, high 4, original 8192.
  RopeParams params{128, 500000.0f, RopeStyle::rotateHalf, Llama3RopeScaling{8, 1, 4, 8192}};
  std::vector<double> scaled = ropeInverseFrequencies(params);
  params.llama3.reset();
  std::vector<double> plain = ropeInverseFrequencies(params);
  ASSERT_EQ(scaled.size(), 64u);
  int high = 0, low = 0, medium = 0;
  for (size_t i = 0; i < 64; ++i) {
    double wavelength = 2 * std::numbers::pi / plain[i];
    if (wavelength < 8192.0 / 4) {
      EXPECT_EQ(scaled[i], plain[i]);
      ++high;
    } else if (wavelength > 8192.0 / 1) {
      EXPECT_DOUBLE_EQ(scaled[i], plain[i] / 8);
      ++low;
    } else {
      double smooth = (8192.0 / wavelength - 1) / 3;
      EXPECT_DOUBLE_EQ(scaled[i], (1 - smooth) * plain[i] / 8 + smooth * plain[i]);
      EXPECT_LT(scaled[i], plain[i]);
      EXPECT_GT(scaled[i], plain[i] / 8);
      ++medium;
    }
  }
  EXPECT_GT(high, 0);
  EXPECT_GT(low, 0);
  EXPECT_GT(medium, 0);
  // Spot value: i = 1 is a high frequency, theta^(-2/128).
  EXPECT_DOUBLE_EQ(scaled[1], std::pow(500000.0, -2.0 / 128));
}

TEST(RopeTest, BadHeadDimIsAnError) {
  RopeParams params{3, 10000.0f, RopeStyle::rotateHalf, std::nullopt};
  EXPECT_FALSE(rope(floats({1, 6}, {1, 2, 3, 4, 5, 6}), ints({1}, {0}), params).isOk());
  params.headDim = 4;
  EXPECT_FALSE(rope(floats({1, 6}, {1, 2, 3, 4, 5, 6}), ints({1}, {0}), params).isOk());
  EXPECT_FALSE(rope(floats({1, 4}, {1, 2, 3, 4}), ints({2}, {0, 1}), params).isOk());
}

} // namespace
} // namespace loom::ref

// Host dtype conversions (round to nearest even, subnormals, specials) and weight concatenation.
#include "runtime/Package/HostConvert.h"
#include "runtime/Package/WeightProvider.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <map>

namespace loom::rt {
namespace {

TEST(HostConvertTest, Bf16RoundsToNearestEven) {
  EXPECT_EQ(floatToBf16(1.0f), 0x3f80);
  EXPECT_EQ(floatToBf16(-2.5f), 0xc020);
  // 1 + 2^-8 is exactly halfway between 1 and 1 + 2^-7: ties to the even mantissa (1.0).
  EXPECT_EQ(floatToBf16(1.0f + std::ldexp(1.0f, -8)), 0x3f80);
  // 1 + 3 * 2^-8 is halfway between 1 + 2^-7 and 1 + 2^-6: ties to even (1 + 2^-6).
  EXPECT_EQ(floatToBf16(1.0f + 3 * std::ldexp(1.0f, -8)), 0x3f82);
  EXPECT_TRUE(std::isnan(bf16ToFloat(floatToBf16(NAN))));
  EXPECT_EQ(bf16ToFloat(0x3f80), 1.0f);
}

TEST(HostConvertTest, F16CoversNormalsSubnormalsAndOverflow) {
  EXPECT_EQ(floatToF16(1.0f), 0x3c00);
  EXPECT_EQ(floatToF16(-2.0f), 0xc000);
  EXPECT_EQ(floatToF16(65504.0f), 0x7bff);
  EXPECT_EQ(floatToF16(1.0e6f), 0x7c00);                 // overflow -> inf
  EXPECT_EQ(floatToF16(std::ldexp(1.0f, -24)), 0x0001);  // smallest subnormal
  EXPECT_EQ(floatToF16(std::ldexp(1.0f, -26)), 0x0000);  // below half of it -> 0
  EXPECT_EQ(floatToF16(1.0f + std::ldexp(1.0f, -11)), 0x3c00); // tie -> even
  for (uint32_t bits = 0; bits < 0x7c00; bits += 7) // every 7th finite positive half survives a round trip
    EXPECT_EQ(floatToF16(f16ToFloat(static_cast<uint16_t>(bits))), bits) << bits;
}

/// Tensors in memory, as a checkpoint reader would hand them out.
class MapProvider final : public WeightProvider {
public:
  void add(const std::string &name, std::vector<int64_t> shape, std::vector<float> values) {
    auto &stored = storage_[name];
    stored.resize(values.size() * 4);
    std::memcpy(stored.data(), values.data(), stored.size());
    shapes_[name] = std::move(shape);
  }
  StatusOr<HostTensorView> tensor(const std::string &name) override {
    auto it = storage_.find(name);
    if (it == storage_.end())
      return LOOM_ERROR(StatusCode::kNotFound, "no tensor " + name);
    return HostTensorView{DType::kF32, shapes_[name], it->second};
  }

private:
  std::map<std::string, std::vector<std::byte>> storage_;
  std::map<std::string, std::vector<int64_t>> shapes_;
};

WeightRecipe tensor(const std::string &name) {
  WeightRecipe recipe;
  recipe.tensor = name;
  return recipe;
}

WeightRecipe concatOf(std::vector<std::string> names, int64_t axis) {
  WeightRecipe recipe;
  recipe.kind = WeightRecipe::Kind::kConcat;
  recipe.axis = axis;
  for (const auto &name : names)
    recipe.of.push_back(tensor(name));
  return recipe;
}

std::vector<float> asFloats(const std::vector<std::byte> &bytes) {
  std::vector<float> out(bytes.size() / 4);
  std::memcpy(out.data(), bytes.data(), bytes.size());
  return out;
}

TEST(WeightProviderTest, ConcatenatesAlongEitherAxis) {
  MapProvider provider;
  provider.add("a", {1, 2}, {1, 2});
  provider.add("b", {2, 2}, {3, 4, 5, 6});
  WeightSpec rows{"ab", DType::kF32, {3, 2}, concatOf({"a", "b"}, 0)};
  auto stacked = materializeWeight(rows, provider);
  ASSERT_TRUE(stacked.isOk()) << stacked.status().toString();
  EXPECT_EQ(asFloats(*stacked), (std::vector<float>{1, 2, 3, 4, 5, 6}));

  provider.add("c", {2, 1}, {7, 8});
  WeightSpec cols{"bc", DType::kF32, {2, 3}, concatOf({"b", "c"}, 1)};
  auto side = materializeWeight(cols, provider);
  ASSERT_TRUE(side.isOk()) << side.status().toString();
  EXPECT_EQ(asFloats(*side), (std::vector<float>{3, 4, 7, 5, 6, 8}));
}

TEST(WeightProviderTest, ConvertsAndNamesMismatches) {
  MapProvider provider;
  provider.add("w", {2}, {1.0f, -2.5f});
  auto bf16 = materializeWeight({"w", DType::kBF16, {2}, tensor("w")}, provider);
  ASSERT_TRUE(bf16.isOk());
  uint16_t bits[2];
  std::memcpy(bits, bf16->data(), 4);
  EXPECT_EQ(bits[0], 0x3f80);
  EXPECT_EQ(bits[1], 0xc020);

  auto shape = materializeWeight({"w", DType::kF32, {3}, tensor("w")}, provider);
  ASSERT_FALSE(shape.isOk());
  EXPECT_NE(shape.status().message().find("weight 'w' has shape [2], the package expects [3]"),
            std::string::npos);
  provider.add("x", {2, 2}, {1, 2, 3, 4});
  auto parts = materializeWeight({"wx", DType::kF32, {3, 2}, concatOf({"x", "x"}, 0)}, provider);
  ASSERT_FALSE(parts.isOk());
  EXPECT_NE(parts.status().message().find("weight 'wx' has shape [4, 2], the package expects [3, 2]"),
            std::string::npos);
  auto missing = materializeWeight({"nope", DType::kF32, {1}, tensor("nope")}, provider);
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
}

TEST(WeightProviderTest, TransposesScalesAndCasts) {
  MapProvider provider;
  provider.add("m", {2, 3}, {1, 2, 3, 4, 5, 6});
  provider.add("g", {3}, {10, 100, 1000});
  WeightRecipe t;
  t.kind = WeightRecipe::Kind::kTranspose;
  t.permutation = {1, 0};
  t.of = {tensor("m")};
  auto transposed = materializeWeight({"mt", DType::kF32, {3, 2}, t}, provider);
  ASSERT_TRUE(transposed.isOk()) << transposed.status().toString();
  EXPECT_EQ(asFloats(*transposed), (std::vector<float>{1, 4, 2, 5, 3, 6}));

  WeightRecipe s; // gain folded into a linear weight: W[n, k] * g[k]
  s.kind = WeightRecipe::Kind::kScale;
  s.axis = 1;
  s.of = {tensor("m"), tensor("g")};
  auto scaled = materializeWeight({"ms", DType::kF32, {2, 3}, s}, provider);
  ASSERT_TRUE(scaled.isOk()) << scaled.status().toString();
  EXPECT_EQ(asFloats(*scaled), (std::vector<float>{10, 200, 3000, 40, 500, 6000}));

  provider.add("x", {1}, {1.0f + std::ldexp(1.0f, -9)});
  WeightRecipe c;
  c.kind = WeightRecipe::Kind::kCast;
  c.dtype = DType::kBF16;
  c.of = {tensor("x")};
  auto rounded = materializeWeight({"xc", DType::kF32, {1}, c}, provider);
  ASSERT_TRUE(rounded.isOk());
  EXPECT_EQ(asFloats(*rounded), (std::vector<float>{1.0f})); // rounded through bf16

  s.of = {tensor("m"), tensor("x")};
  auto bad = materializeWeight({"bad", DType::kF32, {2, 3}, s}, provider);
  ASSERT_FALSE(bad.isOk());
  EXPECT_NE(bad.status().message().find("weight 'bad': scale by a vector of shape [1] along axis 1 of [2, 3]"),
            std::string::npos);
}

} // namespace
} // namespace loom::rt

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

std::vector<float> asFloats(const std::vector<std::byte> &bytes) {
  std::vector<float> out(bytes.size() / 4);
  std::memcpy(out.data(), bytes.data(), bytes.size());
  return out;
}

TEST(WeightProviderTest, ConcatenatesAlongEitherAxis) {
  MapProvider provider;
  provider.add("a", {1, 2}, {1, 2});
  provider.add("b", {2, 2}, {3, 4, 5, 6});
  WeightSpec rows{"ab", DType::kF32, {3, 2}, {"a", "b"}, 0};
  auto stacked = materializeWeight(rows, provider);
  ASSERT_TRUE(stacked.isOk()) << stacked.status().toString();
  EXPECT_EQ(asFloats(*stacked), (std::vector<float>{1, 2, 3, 4, 5, 6}));

  provider.add("c", {2, 1}, {7, 8});
  WeightSpec cols{"bc", DType::kF32, {2, 3}, {"b", "c"}, 1};
  auto side = materializeWeight(cols, provider);
  ASSERT_TRUE(side.isOk()) << side.status().toString();
  EXPECT_EQ(asFloats(*side), (std::vector<float>{3, 4, 7, 5, 6, 8}));
}

TEST(WeightProviderTest, ConvertsAndNamesMismatches) {
  MapProvider provider;
  provider.add("w", {2}, {1.0f, -2.5f});
  auto bf16 = materializeWeight({"w", DType::kBF16, {2}, {}, 0}, provider);
  ASSERT_TRUE(bf16.isOk());
  uint16_t bits[2];
  std::memcpy(bits, bf16->data(), 4);
  EXPECT_EQ(bits[0], 0x3f80);
  EXPECT_EQ(bits[1], 0xc020);

  auto shape = materializeWeight({"w", DType::kF32, {3}, {}, 0}, provider);
  ASSERT_FALSE(shape.isOk());
  EXPECT_NE(shape.status().message().find("weight 'w' has shape [2], the package expects [3]"),
            std::string::npos);
  provider.add("x", {2, 2}, {1, 2, 3, 4});
  auto parts = materializeWeight({"wx", DType::kF32, {3, 2}, {"x", "x"}, 0}, provider);
  ASSERT_FALSE(parts.isOk());
  EXPECT_NE(parts.status().message().find("parts add up to 4 along axis 0, not 3"), std::string::npos);
  auto missing = materializeWeight({"nope", DType::kF32, {1}, {}, 0}, provider);
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
}

} // namespace
} // namespace loom::rt

// checkWeights names missing and mis-shaped weights; the safetensors source reads real tensors.
#include "frontend/Models/SafetensorsWeightSource.h"
#include "frontend/Models/WeightCheck.h"
#include "test/unit/Frontend/FrontendTestSupport.h"

#include <gtest/gtest.h>

#include <cstring>
#include <map>

namespace loom::models {
namespace {

/// Tensors described by shape and dtype only.
class DescribedWeights final : public WeightSource {
public:
  explicit DescribedWeights(std::map<std::string, WeightInfo> tensors)
      : tensors_(std::move(tensors)) {}
  std::string description() const override { return "test.safetensors"; }
  std::vector<std::string> names() const override {
    std::vector<std::string> out;
    for (const auto &[name, info] : tensors_)
      out.push_back(name);
    return out;
  }
  StatusOr<WeightInfo> info(std::string_view name) const override {
    auto it = tensors_.find(std::string(name));
    if (it == tensors_.end())
      return Status(StatusCode::kNotFound, std::string(name));
    return it->second;
  }
  StatusOr<std::vector<float>> floats(std::string_view) const override {
    return Status(StatusCode::kInternal, "not used");
  }
  StatusOr<std::span<const std::byte>> bytes(std::string_view) const override {
    return Status(StatusCode::kInternal, "not used");
  }

private:
  std::map<std::string, WeightInfo> tensors_;
};

const std::vector<WeightSpec> kNeeded = {{"a", {4, 8}, DType::bf16}, {"b", {8}, DType::bf16}};

TEST(WeightCheckTest, MatchingNamesAndShapesPassWhateverTheFloatType) {
  DescribedWeights source({{"a", {{4, 8}, frontend::DType::kF32}},
                           {"b", {{8}, frontend::DType::kF16}},
                           {"unused", {{3}, frontend::DType::kI64}}});
  EXPECT_TRUE(checkWeights(kNeeded, source).isOk());
}

TEST(WeightCheckTest, AMissingWeightIsNamed) {
  DescribedWeights source({{"a", {{4, 8}, frontend::DType::kBF16}}});
  Status status = checkWeights(kNeeded, source);
  EXPECT_EQ(status.code(), StatusCode::kNotFound);
  EXPECT_EQ(status.message(), "weight 'b' [8] is missing from test.safetensors");
}

TEST(WeightCheckTest, AMisShapedWeightIsNamedWithBothShapes) {
  DescribedWeights source(
      {{"a", {{8, 4}, frontend::DType::kBF16}}, {"b", {{8}, frontend::DType::kBF16}}});
  Status status = checkWeights(kNeeded, source);
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            "weight 'a' has shape [8, 4] in test.safetensors, the graph needs [4, 8]");
}

TEST(WeightCheckTest, AnIntegerTensorIsNotAWeight) {
  DescribedWeights source(
      {{"a", {{4, 8}, frontend::DType::kI32}}, {"b", {{8}, frontend::DType::kBF16}}});
  EXPECT_EQ(checkWeights(kNeeded, source).message(),
            "weight 'a' is I32 in test.safetensors; weights must be BF16, F16 or F32");
}

TEST(WeightCheckTest, TheFirstProblemIsNamedAndTheRestCounted) {
  DescribedWeights source({});
  EXPECT_EQ(checkWeights(kNeeded, source).message(),
            "weight 'a' [4, 8] is missing from test.safetensors (and 1 more weights are "
            "missing or mis-shaped)");
}

TEST(SafetensorsWeightSourceTest, ReadsStories260kTensorsAsFloatsAndBytes) {
  auto source = SafetensorsWeightSource::open(test::sharedModel("stories260k"));
  ASSERT_TRUE(source.isOk()) << source.status().toString();
  auto info = source->info("model.layers.0.self_attn.k_proj.weight");
  ASSERT_TRUE(info.isOk());
  EXPECT_EQ(info->shape, (std::vector<int64_t>{32, 64}));
  EXPECT_EQ(info->dtype, frontend::DType::kF32);
  auto floats = source->floats("model.norm.weight");
  auto bytes = source->bytes("model.norm.weight");
  ASSERT_TRUE(floats.isOk() && bytes.isOk());
  ASSERT_EQ(floats->size(), 64u);
  ASSERT_EQ(bytes->size(), 64u * sizeof(float));
  std::vector<float> fromBytes(64);
  std::memcpy(fromBytes.data(), bytes->data(), bytes->size());
  EXPECT_EQ(*floats, fromBytes);
  EXPECT_TRUE(std::any_of(floats->begin(), floats->end(), [](float v) { return v != 0.0f; }));
  auto missing = source->info("lm_head.weight");
  ASSERT_FALSE(missing.isOk());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
}

} // namespace
} // namespace loom::models

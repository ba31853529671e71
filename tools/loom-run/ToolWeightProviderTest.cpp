// ToolWeightProvider: the weights built through it, tensor by tensor as the upload asks, equal
// those built from tensors kept for the whole load; a tensor is freed after its last recipe read.
#include "tools/loom-run/ToolWeightProvider.h"

#include "tools/loom-run/RandomWeights.h"

#include <gtest/gtest.h>

namespace loom::tools {
namespace {

rt::WeightRecipe read(const std::string &tensor) {
  rt::WeightRecipe recipe;
  recipe.tensor = tensor;
  return recipe;
}

rt::WeightSpec weight(const std::string &name, std::vector<int64_t> shape,
                      rt::WeightRecipe recipe) {
  return rt::WeightSpec{name, rt::DType::kBF16, std::move(shape), std::move(recipe)};
}

// A Llama-like package in miniature: merged QKV, a norm gain folded into a matrix and also read
// by itself, and a tied LM head (the embedding read twice, first and last).
const std::vector<WeightSpec> kTensors = {{"embed", {96, 64}}, {"norm", {64}},     {"q", {64, 64}},
                                          {"k", {32, 64}},     {"v", {32, 64}},    {"o", {64, 64}}};

std::vector<rt::WeightSpec> packageWeights() {
  rt::WeightRecipe qkv{rt::WeightRecipe::Kind::kConcat};
  qkv.of = {read("q"), read("k"), read("v")};
  rt::WeightRecipe scaled{rt::WeightRecipe::Kind::kScale};
  scaled.axis = 1;
  scaled.of = {read("o"), read("norm")};
  return {weight("embed", {96, 64}, read("embed")), weight("qkv", {128, 64}, qkv),
          weight("o", {64, 64}, scaled), weight("norm", {64}, read("norm")),
          weight("lm_head", {96, 64}, read("embed"))};
}

/// Every tensor made up front and kept: the reference.
class KeepEverything final : public rt::WeightProvider {
public:
  KeepEverything() {
    for (const WeightSpec &spec : kTensors)
      values_[spec.name] = randomWeightValues(spec.name, spec.shape);
  }
  StatusOr<rt::HostTensorView> tensor(const std::string &name) override {
    const WeightSpec *spec = findWeight(kTensors, name);
    std::span<const std::byte> bytes = std::as_bytes(std::span(values_[name]));
    return rt::HostTensorView{rt::DType::kF32, spec->shape, bytes};
  }

private:
  std::map<std::string, std::vector<float>> values_;
};

TEST(ToolWeightProvider, BuildsTheSameWeightsAsTensorsKeptForTheWholeLoad) {
  std::vector<rt::WeightSpec> weights = packageWeights();
  ToolWeightProvider provider(nullptr, kTensors, weights);
  KeepEverything reference;
  ThreadPool pool(3);
  rt::MaterializeOptions options{&pool, 1000};
  for (const rt::WeightSpec &spec : weights) {
    auto built = rt::materializeWeight(spec, provider, options);
    auto expected = rt::materializeWeight(spec, reference, options);
    ASSERT_TRUE(built.isOk()) << spec.name << ": " << built.status().message();
    ASSERT_TRUE(expected.isOk()) << spec.name;
    EXPECT_EQ(*built, *expected) << spec.name;
  }
}

TEST(ToolWeightProvider, FreesATensorAtTheCallAfterItsLastRead) {
  ToolWeightProvider provider(nullptr, kTensors, packageWeights());
  auto bytesOf = [](const std::string &name) {
    return randomWeightCount(findWeight(kTensors, name)->shape) * sizeof(float);
  };
  auto embed = provider.tensor("embed"); // read again by lm_head: kept
  ASSERT_TRUE(embed.isOk());
  EXPECT_EQ(std::vector<float>(reinterpret_cast<const float *>(embed->data.data()),
                               reinterpret_cast<const float *>(embed->data.data()) + 96 * 64),
            randomWeightValues("embed", {96, 64}));
  ASSERT_TRUE(provider.tensor("q").isOk());
  EXPECT_EQ(provider.heldBytes(), bytesOf("embed") + bytesOf("q"));
  ASSERT_TRUE(provider.tensor("k").isOk()); // q was read once: freed now
  EXPECT_EQ(provider.heldBytes(), bytesOf("embed") + bytesOf("k"));
  ASSERT_TRUE(provider.tensor("norm").isOk()); // read twice (the scale, then itself)
  ASSERT_TRUE(provider.tensor("norm").isOk());
  EXPECT_EQ(provider.heldBytes(), bytesOf("embed") + bytesOf("norm"));
  auto lmHead = provider.tensor("embed"); // its last read: the same buffer, norm freed
  ASSERT_TRUE(lmHead.isOk());
  EXPECT_EQ(lmHead->data.data(), embed->data.data());
  EXPECT_EQ(provider.heldBytes(), bytesOf("embed"));
  ASSERT_TRUE(provider.tensor("v").isOk());
  EXPECT_EQ(provider.heldBytes(), bytesOf("v"));
}

TEST(ToolWeightProvider, ATensorAskedForMoreOftenThanCountedIsMadeAgain) {
  ToolWeightProvider provider(nullptr, kTensors, packageWeights());
  ASSERT_TRUE(provider.tensor("q").isOk());
  ASSERT_TRUE(provider.tensor("k").isOk());
  auto again = provider.tensor("q");
  ASSERT_TRUE(again.isOk());
  EXPECT_EQ(std::vector<float>(reinterpret_cast<const float *>(again->data.data()),
                               reinterpret_cast<const float *>(again->data.data()) + 64 * 64),
            randomWeightValues("q", {64, 64}));
}

TEST(ToolWeightProvider, AnUnknownTensorIsNotFound) {
  ToolWeightProvider provider(nullptr, kTensors, packageWeights());
  auto missing = provider.tensor("model.nonexistent.weight");
  ASSERT_FALSE(missing.isOk());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("model.nonexistent.weight"), std::string::npos);
}

} // namespace
} // namespace loom::tools

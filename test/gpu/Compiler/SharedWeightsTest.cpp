// Both sides of a verification see one set of weights: the interpreter's tensors and the bytes
// the package's recipes (concat, scale by a folded gain) are evaluated over.
#include "frontend/Verify/RandomTensors.h"
#include "frontend/Verify/SharedWeights.h"
#include "runtime/Package/HostConvert.h"
#include "test/gpu/Compiler/GraphFixture.h"

#include <gtest/gtest.h>

#include <cstring>

namespace loom::verify {
namespace {

const char *kGraph = R"mlir(
func.func @f(%x: tensor<?x4xbf16>) -> tensor<?x6xbf16> {
  %g = graph.weight "norm.weight" : tensor<4xbf16>
  %a = graph.weight "a.weight" : tensor<2x4xbf16>
  %b = graph.weight "b.weight" : tensor<4x4xbf16>
  %w = graph.concat %a, %b {axis = 0 : i64} : (tensor<2x4xbf16>, tensor<4x4xbf16>) -> tensor<6x4xbf16>
  %n = graph.rms_norm %x, %g {eps = 1.0e-5 : f32} : tensor<?x4xbf16>, tensor<4xbf16>
  %y = graph.linear %n, %w : tensor<?x4xbf16>, tensor<6x4xbf16> -> tensor<?x6xbf16>
  return %y : tensor<?x6xbf16>
})mlir";

std::vector<float> bf16Values(std::span<const std::byte> bytes) {
  std::vector<float> values(bytes.size() / 2);
  for (size_t i = 0; i < values.size(); ++i) {
    uint16_t bits;
    std::memcpy(&bits, bytes.data() + 2 * i, 2);
    values[i] = rt::bf16ToFloat(bits);
  }
  return values;
}

class SharedWeightsTest : public ::testing::Test, public testing::GraphFixture {
protected:
  void SetUp() override { parseWithWeights(kGraph, "graph", 5); }
};

TEST_F(SharedWeightsTest, EveryWeightIsRandomNonZeroAndScaledByFanIn) {
  EXPECT_EQ(weights_->size(), 3u);
  auto a = weights_->load("a.weight", ref::ElementType::kBF16, {2, 4});
  ASSERT_TRUE(a.isOk()) << a.status().toString();
  for (float value : a->floats()) {
    EXPECT_NE(value, 0.0f);
    EXPECT_LE(std::fabs(value), 0.5f); // 1/sqrt(4)
    EXPECT_EQ(value, ref::roundToElementType(value, ref::ElementType::kBF16));
  }
  auto again = SharedWeights::random(graph_->function(), 5);
  ASSERT_TRUE(again.isOk());
  auto aAgain = again->load("a.weight", ref::ElementType::kBF16, {2, 4});
  EXPECT_TRUE(std::equal(a->floats().begin(), a->floats().end(), aAgain->floats().begin()));
  auto otherSeed = SharedWeights::random(graph_->function(), 6);
  auto aOther = otherSeed->load("a.weight", ref::ElementType::kBF16, {2, 4});
  EXPECT_FALSE(std::equal(a->floats().begin(), a->floats().end(), aOther->floats().begin()));
}

TEST_F(SharedWeightsTest, ReadingAWeightAsAnotherTypeIsAnError) {
  auto wrong = weights_->load("a.weight", ref::ElementType::kF32, {2, 4});
  ASSERT_FALSE(wrong.isOk());
  EXPECT_NE(wrong.status().message().find("weight a.weight is tensor<2x4xbf16>, read as tensor<2x4xf32>"),
            std::string::npos)
      << wrong.status().message();
  EXPECT_EQ(weights_->tensor("missing").status().code(), StatusCode::kNotFound);
}

TEST_F(SharedWeightsTest, PackageRecipesSeeTheInterpretersValues) {
  auto a = *weights_->load("a.weight", ref::ElementType::kBF16, {2, 4});
  auto b = *weights_->load("b.weight", ref::ElementType::kBF16, {4, 4});
  auto gain = *weights_->load("norm.weight", ref::ElementType::kBF16, {4});

  // loom.qkv-style concat, then the folded RMSNorm gain along the columns (axis 1).
  rt::WeightRecipe concat{rt::WeightRecipe::Kind::kConcat};
  concat.of = {rt::WeightRecipe{rt::WeightRecipe::Kind::kTensor, "a.weight"},
               rt::WeightRecipe{rt::WeightRecipe::Kind::kTensor, "b.weight"}};
  rt::WeightSpec folded{"loom.folded.0", rt::DType::kBF16, {6, 4}};
  folded.recipe.kind = rt::WeightRecipe::Kind::kScale;
  folded.recipe.axis = 1;
  folded.recipe.of = {concat, rt::WeightRecipe{rt::WeightRecipe::Kind::kTensor, "norm.weight"}};
  auto bytes = rt::materializeWeight(folded, *weights_);
  ASSERT_TRUE(bytes.isOk()) << bytes.status().toString();
  std::vector<float> got = bf16Values(*bytes);
  ASSERT_EQ(got.size(), 24u);
  for (int64_t row = 0; row < 6; ++row)
    for (int64_t col = 0; col < 4; ++col) {
      float source = row < 2 ? a.floats()[row * 4 + col] : b.floats()[(row - 2) * 4 + col];
      float expected = ref::roundToElementType(source * gain.floats()[col], ref::ElementType::kBF16);
      EXPECT_EQ(got[row * 4 + col], expected) << "row " << row << " col " << col;
    }
}

TEST(RandomTensorsTest, IdsStayInRangeAndFloatsAreNeverZero) {
  ref::HostTensor ids = randomIndexTensor(ref::ElementType::kI32, {1000}, 7, 3);
  int64_t low = 7, high = -1;
  for (int64_t id : ids.ints()) {
    low = std::min(low, id);
    high = std::max(high, id);
  }
  EXPECT_EQ(low, 0);
  EXPECT_EQ(high, 6);
  // A tiny range rounds many draws to zero in f16; every one is drawn again.
  ref::HostTensor small = randomFloatTensor(ref::ElementType::kF16, {4096}, 1e-7, 3);
  for (float value : small.floats())
    ASSERT_NE(value, 0.0f);
  EXPECT_NE(tensorSeed(1, "a"), tensorSeed(1, "b"));
  EXPECT_NE(tensorSeed(1, "a"), tensorSeed(2, "a"));
}

} // namespace
} // namespace loom::verify

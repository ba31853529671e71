// Parallel weight materialization: the same bytes as the serial path and as a direct computation,
// for the recipes of a small Llama-shaped package (fused QKV and gate/up with folded norm gains).
#include "runtime/Package/HostConvert.h"
#include "runtime/Package/WeightProvider.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <map>

namespace loom::rt {
namespace {

constexpr int64_t kHidden = 64, kKvWidth = 32, kFfn = 160, kVocab = 300;

/// Checkpoint tensors of one Llama layer (hidden 64, 4 heads of 16, 2 KV heads, FFN 160), some
/// stored as bf16 like a real checkpoint, filled with distinct non-round values.
class LayerCheckpoint final : public WeightProvider {
public:
  LayerCheckpoint() {
    add("embed", {kVocab, kHidden}, DType::kBF16);
    add("q", {kHidden, kHidden}, DType::kF32);
    add("k", {kKvWidth, kHidden}, DType::kF32);
    add("v", {kKvWidth, kHidden}, DType::kBF16);
    add("o", {kHidden, kHidden}, DType::kF32);
    add("gate", {kFfn, kHidden}, DType::kF32);
    add("up", {kFfn, kHidden}, DType::kF32);
    add("down", {kHidden, kFfn}, DType::kF16);
    add("attn_norm", {kHidden}, DType::kF32);
    add("mlp_norm", {kHidden}, DType::kF32);
    add("empty", {0, kHidden}, DType::kF32); // a zero-length dimension
  }

  StatusOr<HostTensorView> tensor(const std::string &name) override {
    auto it = tensors_.find(name);
    if (it == tensors_.end())
      return LOOM_ERROR(StatusCode::kNotFound, "no tensor " + name);
    return HostTensorView{it->second.dtype, it->second.shape, it->second.bytes};
  }

  /// Element i of tensor `name` as f32 (what the recipe evaluation reads).
  float value(const std::string &name, int64_t i) const {
    const Stored &stored = tensors_.at(name);
    auto one = convertElements(std::span(stored.bytes).subspan(i * dtypeBytes(stored.dtype), dtypeBytes(stored.dtype)),
                               stored.dtype, DType::kF32);
    float out;
    std::memcpy(&out, one->data(), 4);
    return out;
  }

private:
  struct Stored {
    DType dtype;
    std::vector<int64_t> shape;
    std::vector<std::byte> bytes;
  };

  void add(const std::string &name, std::vector<int64_t> shape, DType dtype) {
    int64_t count = 1;
    for (int64_t extent : shape)
      count *= extent;
    std::vector<float> values(count);
    for (int64_t i = 0; i < count; ++i) // a vector is a gain near 1, a matrix values in (-1, 1)
      values[i] = (shape.size() == 1 ? 1.0f : 0.0f) +
                  0.37f * std::sin(0.731f * float(i) + float(name.size()) + 0.113f * float(name[0]));
    auto bytes = convertElements(std::as_bytes(std::span(values)), DType::kF32, dtype);
    tensors_[name] = {dtype, std::move(shape), std::move(*bytes)};
  }

  std::map<std::string, Stored> tensors_;
};

WeightRecipe tensor(const std::string &name) {
  WeightRecipe recipe;
  recipe.tensor = name;
  return recipe;
}

WeightRecipe operation(WeightRecipe::Kind kind, std::vector<WeightRecipe> of, int64_t axis = 0) {
  WeightRecipe recipe;
  recipe.kind = kind;
  recipe.axis = axis;
  recipe.of = std::move(of);
  return recipe;
}

/// The package's weights of the layer, with every recipe kind the Llama builder emits and a
/// transpose and a rounding cast besides.
std::vector<WeightSpec> layerWeights() {
  using Kind = WeightRecipe::Kind;
  WeightRecipe qkv = operation(Kind::kConcat, {tensor("q"), tensor("k"), tensor("v")});
  WeightRecipe gateUp = operation(Kind::kConcat, {tensor("gate"), tensor("up")});
  WeightRecipe transposed = operation(Kind::kTranspose, {tensor("down")});
  transposed.permutation = {1, 0};
  WeightRecipe rounded = operation(Kind::kCast, {tensor("o")});
  rounded.dtype = DType::kF16;
  return {
      {"embed", DType::kBF16, {kVocab, kHidden}, tensor("embed")},
      {"qkv", DType::kBF16, {kHidden + 2 * kKvWidth, kHidden},
       operation(Kind::kScale, {qkv, tensor("attn_norm")}, 1)},
      {"gate_up", DType::kBF16, {2 * kFfn, kHidden}, operation(Kind::kScale, {gateUp, tensor("mlp_norm")}, 1)},
      {"down", DType::kBF16, {kHidden, kFfn}, tensor("down")},
      {"down_t", DType::kF32, {kFfn, kHidden}, transposed},
      {"o_rounded", DType::kBF16, {kHidden, kHidden}, rounded},
      {"lm_head", DType::kF16, {kVocab, kHidden}, tensor("embed")},
      {"norm", DType::kF32, {kHidden}, tensor("mlp_norm")},
  };
}

uint16_t bitsAt(const std::vector<std::byte> &bytes, int64_t i) {
  uint16_t bits;
  std::memcpy(&bits, bytes.data() + i * 2, 2);
  return bits;
}

TEST(WeightMaterializeTest, ParallelChunksGiveTheSerialBytes) {
  LayerCheckpoint checkpoint;
  ThreadPool pool(4);
  for (size_t chunk : {size_t{1}, size_t{97}, size_t{4096}}) { // rows split unevenly, and whole
    for (const WeightSpec &spec : layerWeights()) {
      auto serial = materializeWeight(spec, checkpoint);
      auto parallel = materializeWeight(spec, checkpoint, {&pool, chunk});
      ASSERT_TRUE(serial.isOk()) << spec.name << ": " << serial.status().toString();
      ASSERT_TRUE(parallel.isOk()) << spec.name << ": " << parallel.status().toString();
      int64_t count = 1;
      for (int64_t extent : spec.shape)
        count *= extent;
      EXPECT_EQ(serial->size(), size_t(count) * dtypeBytes(spec.dtype)) << spec.name;
      EXPECT_TRUE(*serial == *parallel) << spec.name << " differs with chunks of " << chunk;
    }
  }
}

TEST(WeightMaterializeTest, FusedQkvIsTheConcatScaledByTheGainInBf16) {
  LayerCheckpoint checkpoint;
  ThreadPool pool(3);
  auto qkv = materializeWeight(layerWeights()[1], checkpoint, {&pool, 50});
  ASSERT_TRUE(qkv.isOk()) << qkv.status().toString();
  const std::pair<const char *, int64_t> parts[] = {{"q", kHidden}, {"k", kKvWidth}, {"v", kKvWidth}};
  int64_t row = 0;
  for (auto [name, rows] : parts)
    for (int64_t r = 0; r < rows; ++r, ++row)
      for (int64_t c = 0; c < kHidden; ++c) {
        float expected = checkpoint.value(name, r * kHidden + c) * checkpoint.value("attn_norm", c);
        ASSERT_EQ(bitsAt(*qkv, row * kHidden + c), floatToBf16(expected)) << name << " row " << r << " col " << c;
      }
}

TEST(WeightMaterializeTest, TransposeAndCastMatchADirectComputation) {
  LayerCheckpoint checkpoint;
  ThreadPool pool(2);
  std::vector<WeightSpec> weights = layerWeights();
  auto transposed = materializeWeight(weights[4], checkpoint, {&pool, 33});
  auto rounded = materializeWeight(weights[5], checkpoint, {&pool, 33});
  auto head = materializeWeight(weights[6], checkpoint, {&pool, 33});
  ASSERT_TRUE(transposed.isOk() && rounded.isOk() && head.isOk());
  std::vector<float> t(transposed->size() / 4);
  std::memcpy(t.data(), transposed->data(), transposed->size());
  for (int64_t r = 0; r < kFfn; ++r)
    for (int64_t c = 0; c < kHidden; ++c)
      ASSERT_EQ(t[r * kHidden + c], checkpoint.value("down", c * kFfn + r)) << r << ", " << c;
  for (int64_t i = 0; i < kHidden * kHidden; ++i)
    ASSERT_EQ(bitsAt(*rounded, i), floatToBf16(f16ToFloat(floatToF16(checkpoint.value("o", i))))) << i;
  for (int64_t i = 0; i < kVocab * kHidden; ++i)
    ASSERT_EQ(bitsAt(*head, i), floatToF16(checkpoint.value("embed", i))) << i;
}

TEST(WeightMaterializeTest, RopePairsRecipeInterleavesEachHeadsRows) {
  // graph-rope-pairs + graph-hoist-weights: q [4 heads of 16, 64] -> reshape [4, 2, 8, 64] ->
  // transpose [0, 2, 1, 3] -> reshape [64, 64]; new row 2i + j of a head is old row i + 8j.
  using Kind = WeightRecipe::Kind;
  constexpr int64_t kHeads = 4, kHeadDim = 16;
  WeightRecipe grouped = operation(Kind::kReshape, {tensor("q")});
  grouped.shape = {kHeads, 2, kHeadDim / 2, kHidden};
  WeightRecipe swapped = operation(Kind::kTranspose, {grouped});
  swapped.permutation = {0, 2, 1, 3};
  WeightRecipe rows = operation(Kind::kReshape, {swapped});
  rows.shape = {kHeads * kHeadDim, kHidden};
  LayerCheckpoint checkpoint;
  ThreadPool pool(2);
  auto bytes = materializeWeight({"q_pairs", DType::kF32, {kHidden, kHidden}, rows}, checkpoint, {&pool, 40});
  ASSERT_TRUE(bytes.isOk()) << bytes.status().message();
  std::vector<float> values(bytes->size() / 4);
  std::memcpy(values.data(), bytes->data(), bytes->size());
  for (int64_t h = 0; h < kHeads; ++h)
    for (int64_t i = 0; i < kHeadDim / 2; ++i)
      for (int64_t j = 0; j < 2; ++j)
        for (int64_t c = 0; c < kHidden; ++c)
          ASSERT_EQ(values[(h * kHeadDim + 2 * i + j) * kHidden + c],
                    checkpoint.value("q", (h * kHeadDim + i + j * kHeadDim / 2) * kHidden + c))
              << h << ", " << i << ", " << j << ", " << c;

  WeightRecipe wrongCount = operation(Kind::kReshape, {tensor("q")});
  wrongCount.shape = {kHidden, kHidden + 1};
  auto wrong = materializeWeight({"q_wrong", DType::kF32, {kHidden, kHidden + 1}, wrongCount}, checkpoint);
  ASSERT_FALSE(wrong.isOk());
  EXPECT_NE(wrong.status().message().find("weight 'q_wrong': reshape of [64, 64] to [64, 65] changes the element count"),
            std::string::npos)
      << wrong.status().message();
}

TEST(WeightMaterializeTest, AZeroLengthWeightTransposesToNoBytes) {
  LayerCheckpoint checkpoint;
  ThreadPool pool(2);
  WeightRecipe transposed = operation(WeightRecipe::Kind::kTranspose, {tensor("empty")});
  transposed.permutation = {1, 0};
  for (ThreadPool *usePool : {static_cast<ThreadPool *>(nullptr), &pool}) {
    auto bytes = materializeWeight({"empty_t", DType::kBF16, {kHidden, 0}, transposed}, checkpoint,
                                   {usePool, 16});
    ASSERT_TRUE(bytes.isOk()) << bytes.status().message();
    EXPECT_TRUE(bytes->empty());
  }
}

TEST(WeightMaterializeTest, ErrorsAreTheSameInParallel) {
  LayerCheckpoint checkpoint;
  ThreadPool pool(2);
  WeightSpec wrongShape = layerWeights()[1];
  wrongShape.shape = {kHidden, kHidden};
  auto shape = materializeWeight(wrongShape, checkpoint, {&pool, 16});
  ASSERT_FALSE(shape.isOk());
  EXPECT_NE(shape.status().message().find("weight 'qkv' has shape [128, 64], the package expects [64, 64]"),
            std::string::npos)
      << shape.status().message();
  WeightSpec integer{"ids", DType::kI32, {kHidden}, tensor("mlp_norm")};
  auto converted = materializeWeight(integer, checkpoint, {&pool, 16});
  ASSERT_FALSE(converted.isOk());
  EXPECT_NE(converted.status().message().find("weight 'ids': cannot convert f32 to"), std::string::npos)
      << converted.status().message();
}

} // namespace
} // namespace loom::rt

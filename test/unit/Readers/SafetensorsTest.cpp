// Safetensors: the real stories260k file, shards, and float conversions.
#include "frontend/Readers/ModelConfig.h"
#include "frontend/Readers/Safetensors.h"
#include "test/unit/Readers/TempDir.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <vector>

namespace loom::frontend {
namespace {

using testing::TempDir;
using testing::safetensorsBytes;
using testing::stories260kDir;

std::vector<int64_t> shapeOf(const TensorView &view) {
  return {view.shape.begin(), view.shape.end()};
}

TEST(SafetensorsTest, Stories260kTensorsMatchConfig) {
  auto model = SafetensorsModel::open(stories260kDir());
  ASSERT_TRUE(model.isOk()) << model.status().toString();
  auto config = readModelConfig(stories260kDir());
  ASSERT_TRUE(config.isOk()) << config.status().toString();

  // 9 tensors per layer × 5 layers + embedding + final norm; tied head has no lm_head.
  EXPECT_EQ(model->numTensors(), 47u);
  EXPECT_FALSE(model->contains("lm_head.weight"));
  for (const std::string &name : model->tensorNames()) {
    auto view = model->tensor(name);
    ASSERT_TRUE(view.isOk()) << view.status().toString();
    EXPECT_EQ(view->dtype, DType::kF32) << name;
    EXPECT_EQ(view->bytes, static_cast<size_t>(view->numElements()) * 4) << name;
  }
  int64_t hidden = config->hiddenSize, kvDim = config->numKeyValueHeads * config->headDim;
  EXPECT_EQ(shapeOf(*model->tensor("model.embed_tokens.weight")),
            (std::vector<int64_t>{config->vocabSize, hidden}));
  EXPECT_EQ(shapeOf(*model->tensor("model.layers.4.self_attn.k_proj.weight")),
            (std::vector<int64_t>{kvDim, hidden}));
  EXPECT_EQ(shapeOf(*model->tensor("model.layers.0.mlp.down_proj.weight")),
            (std::vector<int64_t>{hidden, config->intermediateSize}));
  EXPECT_EQ(shapeOf(*model->tensor("model.norm.weight")), (std::vector<int64_t>{hidden}));

  auto missing = model->tensor("lm_head.weight");
  ASSERT_FALSE(missing.isOk());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("no tensor named 'lm_head.weight'"),
            std::string::npos);
}

TEST(SafetensorsTest, Float32ViewReadsTheFileBytes) {
  auto model = SafetensorsModel::open(stories260kDir() + "/model.safetensors");
  ASSERT_TRUE(model.isOk()) << model.status().toString();
  auto view = model->tensor("model.norm.weight");
  ASSERT_TRUE(view.isOk());
  auto values = toFloat32(*view);
  ASSERT_TRUE(values.isOk());
  ASSERT_EQ(values->size(), 64u);
  float first;
  std::memcpy(&first, view->data, sizeof(first));
  EXPECT_EQ((*values)[0], first);
  // A trained RMSNorm weight: finite and not all equal.
  EXPECT_TRUE(std::isfinite((*values)[63]));
  EXPECT_NE((*values)[0], (*values)[1]);
}

TEST(SafetensorsTest, ConvertsHalfAndBfloat16) {
  TempDir dir;
  // bf16: 1.0, -2.0; f16: 1.0, 2^-24 (smallest subnormal), -inf, 65504.
  const uint16_t bf16[] = {0x3F80, 0xC000};
  const uint16_t f16[] = {0x3C00, 0x0001, 0xFC00, 0x7BFF};
  std::string data(reinterpret_cast<const char *>(bf16), sizeof(bf16));
  data.append(reinterpret_cast<const char *>(f16), sizeof(f16));
  std::string header = R"({"a":{"dtype":"BF16","shape":[2],"data_offsets":[0,4]},)"
                       R"("b":{"dtype":"F16","shape":[2,2],"data_offsets":[4,12]},)"
                       R"("__metadata__":{"format":"pt"}})";
  auto file = SafetensorsFile::open(dir.write("x.safetensors", safetensorsBytes(header, data)));
  ASSERT_TRUE(file.isOk()) << file.status().toString();
  EXPECT_EQ(file->metadata().at("format"), "pt");
  auto a = toFloat32(file->view(*file->findEntry("a")));
  auto b = toFloat32(file->view(*file->findEntry("b")));
  ASSERT_TRUE(a.isOk() && b.isOk());
  EXPECT_EQ(*a, (std::vector<float>{1.0f, -2.0f}));
  EXPECT_EQ(*b, (std::vector<float>{1.0f, std::ldexp(1.0f, -24), -INFINITY, 65504.0f}));
}

TEST(SafetensorsTest, IntegerTensorsAreRawOnly) {
  TempDir dir;
  std::string header = R"({"ids":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}})";
  auto file = SafetensorsFile::open(
      dir.write("i.safetensors", safetensorsBytes(header, std::string(8, '\x01'))));
  ASSERT_TRUE(file.isOk()) << file.status().toString();
  TensorView view = file->view(*file->findEntry("ids"));
  EXPECT_EQ(view.dtype, DType::kI64);
  EXPECT_EQ(view.bytes, 8u);
  auto converted = toFloat32(view);
  ASSERT_FALSE(converted.isOk());
  EXPECT_NE(converted.status().message().find("tensor 'ids' has dtype I64"), std::string::npos);
}

TEST(SafetensorsTest, OpensShardsThroughTheIndex) {
  TempDir dir;
  const float one = 1.0f, two = 2.0f;
  dir.write("model-00001-of-00002.safetensors",
            safetensorsBytes(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})",
                             std::string(reinterpret_cast<const char *>(&one), 4)));
  dir.write("model-00002-of-00002.safetensors",
            safetensorsBytes(R"({"b":{"dtype":"F32","shape":[],"data_offsets":[0,4]}})",
                             std::string(reinterpret_cast<const char *>(&two), 4)));
  dir.write("model.safetensors.index.json",
            R"({"metadata":{"total_size":8},"weight_map":{)"
            R"("a":"model-00001-of-00002.safetensors",)"
            R"("b":"model-00002-of-00002.safetensors"}})");
  auto model = SafetensorsModel::open(dir.path());
  ASSERT_TRUE(model.isOk()) << model.status().toString();
  EXPECT_EQ(model->files().size(), 2u);
  EXPECT_EQ(model->tensorNames(), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(*toFloat32(*model->tensor("a")), std::vector<float>{1.0f});
  auto b = model->tensor("b");
  EXPECT_TRUE(b->shape.empty());
  EXPECT_EQ(*toFloat32(*b), std::vector<float>{2.0f});
}

TEST(SafetensorsTest, IndexNamingAMissingTensorIsAnError) {
  TempDir dir;
  dir.write("s.safetensors",
            safetensorsBytes(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})",
                             std::string(4, '\0')));
  dir.write("model.safetensors.index.json",
            R"({"weight_map":{"a":"s.safetensors","ghost":"s.safetensors"}})");
  auto model = SafetensorsModel::open(dir.path());
  ASSERT_FALSE(model.isOk());
  EXPECT_NE(model.status().message().find("weight_map puts 'ghost' in s.safetensors"),
            std::string::npos)
      << model.status().message();
}

TEST(SafetensorsTest, IndexMayNotLeaveTheModelFolder) {
  TempDir dir;
  dir.write("model.safetensors.index.json", R"({"weight_map":{"a":"../evil.safetensors"}})");
  auto model = SafetensorsModel::open(dir.path());
  ASSERT_FALSE(model.isOk());
  EXPECT_NE(model.status().message().find("shards must be plain file names"),
            std::string::npos)
      << model.status().message();
}

TEST(SafetensorsTest, FolderWithoutWeightsIsNotFound) {
  TempDir dir;
  auto model = SafetensorsModel::open(dir.path());
  ASSERT_FALSE(model.isOk());
  EXPECT_EQ(model.status().code(), StatusCode::kNotFound);
  EXPECT_NE(model.status().message().find("neither model.safetensors.index.json nor "
                                          "model.safetensors"),
            std::string::npos);
}

} // namespace
} // namespace loom::frontend

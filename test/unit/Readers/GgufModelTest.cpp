// GgufModel: stories260k written as a GGUF loads back as the safetensors model, and the
// real SmolLM2-135M-Instruct GGUF (when cached) opens with its config and ChatML prompt.
#include "frontend/Readers/GgufModel.h"

#include "frontend/Readers/Safetensors.h"
#include "test/unit/Readers/GgufWriter.h"
#include "test/unit/Readers/TempDir.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace loom::frontend {
namespace {

using testing::GgufWriter;
using testing::rawBytes;
using testing::stories260kDir;
using testing::TempDir;

/// The llama.cpp name of a stories260k tensor (the reverse of the reader's table).
std::string ggufName(const std::string &hfName) {
  const std::pair<std::string_view, std::string_view> layerParts[] = {
      {"self_attn.q_proj", "attn_q"},   {"self_attn.k_proj", "attn_k"},
      {"self_attn.v_proj", "attn_v"},   {"self_attn.o_proj", "attn_output"},
      {"input_layernorm", "attn_norm"}, {"post_attention_layernorm", "ffn_norm"},
      {"mlp.gate_proj", "ffn_gate"},    {"mlp.up_proj", "ffn_up"},
      {"mlp.down_proj", "ffn_down"}};
  if (hfName == "model.embed_tokens.weight")
    return "token_embd.weight";
  if (hfName == "model.norm.weight")
    return "output_norm.weight";
  size_t layerEnd = hfName.find('.', 13);
  std::string layer = hfName.substr(13, layerEnd - 13);
  std::string part = hfName.substr(layerEnd + 1, hfName.size() - layerEnd - 1 - 7);
  for (auto [hf, gguf] : layerParts)
    if (part == hf)
      return "blk." + layer + "." + std::string(gguf) + ".weight";
  ADD_FAILURE() << "no GGUF name for " << hfName;
  return hfName;
}

/// convert_hf_to_gguf.py's Llama q/k permutation:
/// w.reshape(heads, 2, D/2, cols).swapaxes(1, 2).reshape(w.shape).
std::vector<float> permuteForGguf(const std::vector<float> &hf, int64_t heads, int64_t cols) {
  int64_t half = static_cast<int64_t>(hf.size()) / cols / heads / 2;
  std::vector<float> out(hf.size());
  for (int64_t h = 0; h < heads; ++h)
    for (int64_t i = 0; i < 2; ++i)
      for (int64_t j = 0; j < half; ++j)
        for (int64_t c = 0; c < cols; ++c)
          out[((h * half + j) * 2 + i) * cols + c] = hf[((h * 2 + i) * half + j) * cols + c];
  return out;
}

std::vector<float> floatsOf(const TensorView &view) {
  std::vector<float> values(view.numElements());
  std::memcpy(values.data(), view.data, view.bytes);
  return values;
}

/// Changes to the stories260k GGUF, to test errors.
struct Breakage {
  bool extraRopeFreqs = false; ///< add llama.cpp's Llama 3.1 "rope_freqs.weight"
  bool dropEmbedding = false;
};

/// stories260k as llama.cpp would convert it: llama.* keys, a SentencePiece vocabulary
/// with scores (-id for merged tokens, as its sentencepiece model has), F32 tensors with
/// permuted q/k rows and no output.weight (tied embeddings).
std::string storiesGguf(const ModelConfig &config, const SafetensorsModel &weights,
                        Breakage breakage = {}) {
  GgufWriter writer;
  writer.string("general.architecture", "llama");
  writer.string("general.basename", "stories");
  writer.scalar<uint32_t>("llama.context_length", 4, config.maxPositionEmbeddings);
  writer.scalar<uint32_t>("llama.embedding_length", 4, config.hiddenSize);
  writer.scalar<uint32_t>("llama.block_count", 4, config.numHiddenLayers);
  writer.scalar<uint32_t>("llama.feed_forward_length", 4, config.intermediateSize);
  writer.scalar<uint32_t>("llama.attention.head_count", 4, config.numAttentionHeads);
  writer.scalar<uint32_t>("llama.attention.head_count_kv", 4, config.numKeyValueHeads);
  writer.scalar<uint32_t>("llama.rope.dimension_count", 4, config.headDim);
  writer.scalar<float>("llama.attention.layer_norm_rms_epsilon", 6, config.rmsNormEps);
  writer.scalar<float>("llama.rope.freq_base", 6, config.ropeTheta);

  std::ifstream in(stories260kDir() + "/tokenizer.json");
  nlohmann::json tokenizer = nlohmann::json::parse(in);
  std::vector<std::string> tokens(tokenizer["model"]["vocab"].size());
  for (const auto &[token, id] : tokenizer["model"]["vocab"].items())
    tokens[id.get<size_t>()] = token;
  std::vector<float> scores(tokens.size());
  std::vector<int32_t> types(tokens.size(), 1);
  for (size_t id = 0; id < tokens.size(); ++id) {
    bool isByte = tokens[id].size() == 6 && tokens[id].rfind("<0x", 0) == 0;
    types[id] = id == 0 ? 2 : id < 3 ? 3 : isByte ? 6 : 1;
    scores[id] = types[id] == 1 ? -static_cast<float>(id) : 0.0f;
  }
  writer.string("tokenizer.ggml.model", "llama");
  writer.strings("tokenizer.ggml.tokens", tokens);
  writer.array<float>("tokenizer.ggml.scores", 6, scores);
  writer.array<int32_t>("tokenizer.ggml.token_type", 5, types);
  writer.scalar<uint32_t>("tokenizer.ggml.bos_token_id", 4, 1);
  writer.scalar<uint32_t>("tokenizer.ggml.eos_token_id", 4, 2);
  writer.scalar<uint32_t>("tokenizer.ggml.unknown_token_id", 4, 0);

  for (const std::string &name : weights.tensorNames()) {
    TensorView view = *weights.tensor(name);
    std::vector<float> values = floatsOf(view);
    std::vector<uint64_t> dims(view.shape.rbegin(), view.shape.rend());
    int64_t cols = view.shape.size() == 2 ? view.shape[1] : 1;
    if (name.find("q_proj") != std::string::npos)
      values = permuteForGguf(values, config.numAttentionHeads, cols);
    if (name.find("k_proj") != std::string::npos)
      values = permuteForGguf(values, config.numKeyValueHeads, cols);
    if (!(breakage.dropEmbedding && name == "model.embed_tokens.weight"))
      writer.tensor(ggufName(name), dims, 0, rawBytes(values));
  }
  if (breakage.extraRopeFreqs)
    writer.tensor("rope_freqs.weight", {4}, 0, rawBytes<float>({1, 1, 1, 1}));
  return writer.bytes();
}

class StoriesGgufTest : public ::testing::Test {
protected:
  void SetUp() override {
    auto config = readModelConfig(stories260kDir());
    ASSERT_TRUE(config.isOk()) << config.status().toString();
    auto weights = SafetensorsModel::open(stories260kDir());
    ASSERT_TRUE(weights.isOk()) << weights.status().toString();
    auto tokenizer = Tokenizer::open(stories260kDir());
    ASSERT_TRUE(tokenizer.isOk()) << tokenizer.status().toString();
    reference.emplace(*config);
    referenceWeights.emplace(*weights);
    referenceTokenizer.emplace(*tokenizer);
    auto model = GgufModel::open(dir.write("stories.gguf", storiesGguf(*config, *weights)));
    ASSERT_TRUE(model.isOk()) << model.status().toString();
    gguf.emplace(std::move(*model));
  }

  TempDir dir;
  std::optional<ModelConfig> reference;
  std::optional<SafetensorsModel> referenceWeights;
  std::optional<Tokenizer> referenceTokenizer;
  std::optional<GgufModel> gguf;
};

TEST_F(StoriesGgufTest, ConfigMatchesConfigJson) {
  const ModelConfig &config = gguf->config();
  EXPECT_EQ(config.architecture, reference->architecture);
  EXPECT_EQ(config.hiddenSize, reference->hiddenSize);
  EXPECT_EQ(config.intermediateSize, reference->intermediateSize);
  EXPECT_EQ(config.numHiddenLayers, reference->numHiddenLayers);
  EXPECT_EQ(config.numAttentionHeads, reference->numAttentionHeads);
  EXPECT_EQ(config.numKeyValueHeads, reference->numKeyValueHeads);
  EXPECT_EQ(config.headDim, reference->headDim);
  EXPECT_EQ(config.vocabSize, reference->vocabSize);
  EXPECT_EQ(config.maxPositionEmbeddings, reference->maxPositionEmbeddings);
  EXPECT_FLOAT_EQ(config.rmsNormEps, reference->rmsNormEps);
  EXPECT_EQ(config.ropeTheta, reference->ropeTheta);
  EXPECT_EQ(config.tieWordEmbeddings, reference->tieWordEmbeddings);
  EXPECT_EQ(config.bosTokenId, reference->bosTokenId);
  EXPECT_EQ(config.eosTokenIds, reference->eosTokenIds);
}

TEST_F(StoriesGgufTest, WeightsMatchSafetensorsInHfLayout) {
  EXPECT_EQ(gguf->tensorNames(), referenceWeights->tensorNames());
  for (const std::string &name : referenceWeights->tensorNames()) {
    TensorView view = *referenceWeights->tensor(name);
    StatusOr<FloatTensor> tensor = gguf->loadTensor(name);
    ASSERT_TRUE(tensor.isOk()) << tensor.status().toString();
    EXPECT_EQ(tensor->shape, std::vector<int64_t>(view.shape.begin(), view.shape.end())) << name;
    EXPECT_EQ((*gguf->tensorInfo(name))->shape, tensor->shape) << name;
    EXPECT_EQ(tensor->values, floatsOf(view)) << name;
  }
  EXPECT_EQ(gguf->loadTensor("lm_head.weight").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(gguf->tensorInfo("lm_head.weight").status().code(), StatusCode::kNotFound);
}

TEST_F(StoriesGgufTest, TokenizerMatchesTokenizerJson) {
  EXPECT_EQ(gguf->tokenizer().vocabSize(), referenceTokenizer->vocabSize());
  for (std::string_view text :
       {"Once upon a time", "Lily and Tom went to the park.", "héllo 日本 x\n", "  two  spaces", "",
        "<s>Hi</s> there <unk>", "\xf0\x9f\x99\x82 42!", "a\tb\r\nc"}) {
    for (bool special : {true, false}) {
      StatusOr<std::vector<int32_t>> expected = referenceTokenizer->encode(text, special);
      StatusOr<std::vector<int32_t>> actual = gguf->tokenizer().encode(text, special);
      ASSERT_TRUE(expected.isOk() && actual.isOk()) << text;
      EXPECT_EQ(*actual, *expected) << text;
      EXPECT_EQ(*gguf->tokenizer().decode(*actual), *referenceTokenizer->decode(*expected)) << text;
    }
  }
}

TEST_F(StoriesGgufTest, NoChatFormatForAStoriesModel) {
  StatusOr<ChatTemplate> chat = gguf->chatTemplate();
  ASSERT_FALSE(chat.isOk());
  EXPECT_NE(chat.status().message().find("'stories'"), std::string::npos)
      << chat.status().message();
}

TEST(GgufModelTest, RejectsTensorsWithoutHfNamesAndMissingEmbeddings) {
  auto config = readModelConfig(stories260kDir());
  auto weights = SafetensorsModel::open(stories260kDir());
  ASSERT_TRUE(config.isOk() && weights.isOk());
  TempDir dir;
  auto openError = [&](Breakage breakage) {
    return GgufModel::open(dir.write("broken.gguf", storiesGguf(*config, *weights, breakage)))
        .status();
  };
  testing::expectErrorContaining(openError({.extraRopeFreqs = true}),
                                 "tensor 'rope_freqs.weight' has no Hugging Face equivalent");
  testing::expectErrorContaining(openError({.dropEmbedding = true}),
                                 "token_embd.weight must exist with shape [512, 64]");
}

/// Where tools/fetch-demo-model.sh caches the demo model.
std::string cachedSmolLm2() {
  const char *cache = std::getenv("LOOM_CACHE_DIR");
  const char *home = std::getenv("HOME");
  std::string root = cache ? cache : home ? std::string(home) + "/.cache/loom" : "";
  return root + "/models/SmolLM2-135M-Instruct.Q4_1.gguf";
}

TEST(SmolLm2GgufTest, OpensTheCachedDemoModel) {
  std::string path = cachedSmolLm2();
  if (!std::filesystem::exists(path))
    GTEST_SKIP() << path << " is absent; run tools/fetch-demo-model.sh to test the real model";
  StatusOr<GgufModel> model = GgufModel::open(path);
  ASSERT_TRUE(model.isOk()) << model.status().toString();
  const ModelConfig &config = model->config();
  EXPECT_EQ(config.hiddenSize, 576);
  EXPECT_EQ(config.numHiddenLayers, 30);
  EXPECT_EQ(config.numAttentionHeads, 9);
  EXPECT_EQ(config.numKeyValueHeads, 3);
  EXPECT_EQ(config.headDim, 64);
  EXPECT_EQ(config.intermediateSize, 1536);
  EXPECT_EQ(config.vocabSize, 49152);
  EXPECT_EQ(config.maxPositionEmbeddings, 8192);
  EXPECT_EQ(config.ropeTheta, 100000.0);
  EXPECT_TRUE(config.tieWordEmbeddings);

  StatusOr<ChatTemplate> chat = model->chatTemplate();
  ASSERT_TRUE(chat.isOk()) << chat.status().toString();
  EXPECT_EQ(chat->name(), "chatml");
  std::vector<ChatMessage> messages = {
      {"user", "What is the capital of France? Answer in 3 words, please: 1234."}};
  std::string prompt = chat->render(messages);
  EXPECT_EQ(prompt,
            "<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging "
            "Face<|im_end|>\n<|im_start|>user\nWhat is the capital of France? Answer in 3 words, "
            "please: 1234.<|im_end|>\n<|im_start|>assistant\n");
  StatusOr<std::vector<int32_t>> ids = model->tokenizer().encode(prompt, false);
  ASSERT_TRUE(ids.isOk()) << ids.status().toString();
  // Reference: Hugging Face `tokenizers` 0.23 with the file's vocab and merges and
  // SmolLM2's pre-tokenizer (Digits(individual) + ByteLevel).
  EXPECT_EQ(*ids, (std::vector<int32_t>{1,    9690, 198,  2683,  359,   253,  5356, 5646, 11173,
                                        3365, 3511, 308,  34519, 28,    7018, 411,  407,  19712,
                                        8182, 2,    198,  1,     4093,  198,  1780, 314,  260,
                                        3575, 282,  4649, 47,    19842, 281,  216,  35,   1924,
                                        28,   5361, 42,   216,   33,    34,   35,   36,   30,
                                        2,    198,  1,    520,   9531,  198}));
  EXPECT_EQ(*model->tokenizer().decode(*ids), prompt);
  StatusOr<std::vector<int32_t>> other =
      model->tokenizer().encode("  Héllo   wörld!\n\n日本語 naïve café 42");
  ASSERT_TRUE(other.isOk()) << other.status().toString();
  EXPECT_EQ(*other, (std::vector<int32_t>{216, 407,   2756,  31394, 256, 267,   29989, 400,
                                          17,  198,   198,   23274, 115, 40993, 179,   120,
                                          248, 15486, 46494, 37366, 216, 36,    34}));

  // Q8_0 embeddings and Q4_1 projections dequantize to finite values of weight-like size.
  for (std::string_view name :
       {"model.embed_tokens.weight", "model.layers.0.self_attn.q_proj.weight",
        "model.layers.29.mlp.down_proj.weight", "model.norm.weight"}) {
    StatusOr<FloatTensor> tensor = model->loadTensor(name);
    ASSERT_TRUE(tensor.isOk()) << tensor.status().toString();
    double sumSquares = 0;
    for (float value : tensor->values) {
      ASSERT_TRUE(std::isfinite(value)) << name;
      sumSquares += double(value) * value;
    }
    double rms = std::sqrt(sumSquares / tensor->values.size());
    EXPECT_GT(rms, 1e-3) << name;
    EXPECT_LT(rms, 10.0) << name;
  }
  EXPECT_EQ(model->loadTensor("model.layers.0.self_attn.k_proj.weight")->shape,
            (std::vector<int64_t>{192, 576}));
}

} // namespace
} // namespace loom::frontend

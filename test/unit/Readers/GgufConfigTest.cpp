// ModelConfig from GGUF `llama.*` metadata, and inconsistent or missing keys.
#include "frontend/Readers/GgufConfig.h"

#include "test/unit/Readers/GgufWriter.h"

#include <gtest/gtest.h>

#include <functional>

namespace loom::frontend {
namespace {

using testing::GgufWriter;

/// Metadata of a small Llama (hidden 64, 8 heads, 2 KV heads) with one key left out
/// (`skip`) and one key overridden by `extra`.
std::string llamaFile(std::string_view skip = "",
                      const std::function<void(GgufWriter &)> &extra = {}) {
  GgufWriter writer;
  auto u32 = [&](std::string_view key, uint32_t value) {
    if (key != skip)
      writer.scalar<uint32_t>(key, 4, value);
  };
  auto f32 = [&](std::string_view key, float value) {
    if (key != skip)
      writer.scalar<float>(key, 6, value);
  };
  if (skip != "general.architecture")
    writer.string("general.architecture", "llama");
  u32("llama.context_length", 2048);
  u32("llama.embedding_length", 64);
  u32("llama.block_count", 3);
  u32("llama.feed_forward_length", 160);
  u32("llama.attention.head_count", 8);
  u32("llama.attention.head_count_kv", 2);
  u32("llama.rope.dimension_count", 8);
  f32("llama.attention.layer_norm_rms_epsilon", 1e-5f);
  f32("llama.rope.freq_base", 500000.0f);
  if (skip != "tokenizer.ggml.tokens")
    writer.strings("tokenizer.ggml.tokens", {"<s>", "</s>", "a", "b", "c"});
  u32("tokenizer.ggml.bos_token_id", 0);
  u32("tokenizer.ggml.eos_token_id", 1);
  if (extra)
    extra(writer);
  writer.tensor("token_embd.weight", {64, 5}, 0, std::string(64 * 5 * 4, '\0'));
  return writer.bytes();
}

/// The small Llama with the uint32 `key` set to `value` instead.
std::string llamaFileWith(std::string_view key, uint32_t value) {
  return llamaFile(key, [&](GgufWriter &w) { w.scalar<uint32_t>(key, 4, value); });
}

StatusOr<ModelConfig> configOf(const std::string &bytes) {
  StatusOr<GgufFile> file = testing::parseGguf(bytes, "model.gguf");
  if (!file.isOk())
    return file.status();
  return ggufModelConfig(*file);
}

void expectConfigError(const std::string &bytes, std::string_view message) {
  StatusOr<ModelConfig> config = configOf(bytes);
  ASSERT_FALSE(config.isOk()) << "expected: " << message;
  EXPECT_EQ(config.status().message(), message);
}

TEST(GgufConfigTest, FillsModelConfigFromLlamaKeys) {
  StatusOr<ModelConfig> config = configOf(llamaFile());
  ASSERT_TRUE(config.isOk()) << config.status().toString();
  EXPECT_EQ(config->architecture, "LlamaForCausalLM");
  EXPECT_EQ(config->modelType, "llama");
  EXPECT_EQ(config->hiddenSize, 64);
  EXPECT_EQ(config->intermediateSize, 160);
  EXPECT_EQ(config->numHiddenLayers, 3);
  EXPECT_EQ(config->numAttentionHeads, 8);
  EXPECT_EQ(config->numKeyValueHeads, 2);
  EXPECT_EQ(config->headDim, 8);
  EXPECT_EQ(config->vocabSize, 5) << "from the token list";
  EXPECT_EQ(config->maxPositionEmbeddings, 2048);
  EXPECT_EQ(config->rmsNormEps, static_cast<double>(1e-5f));
  EXPECT_EQ(config->ropeTheta, 500000.0);
  EXPECT_EQ(config->ropeScaling.type, RopeScalingType::kNone);
  EXPECT_TRUE(config->tieWordEmbeddings) << "no output.weight";
  EXPECT_EQ(config->bosTokenId, 0);
  EXPECT_EQ(config->eosTokenIds, (std::vector<int64_t>{1}));
  EXPECT_EQ(config->torchDtype, "float32");
}

TEST(GgufConfigTest, OptionalKeysAndOutputWeight) {
  StatusOr<ModelConfig> config =
      configOf(llamaFile("llama.attention.head_count_kv", [](GgufWriter &w) {
        w.scalar<uint32_t>("llama.attention.key_length", 4, 8);
        w.string("llama.rope.scaling.type", "linear");
        w.scalar<float>("llama.rope.scaling.factor", 6, 4.0f);
        w.tensor("output.weight", {64, 5}, 0, std::string(64 * 5 * 4, '\0'));
      }));
  ASSERT_TRUE(config.isOk()) << config.status().toString();
  EXPECT_EQ(config->numKeyValueHeads, 8) << "defaults to head_count";
  EXPECT_EQ(config->ropeScaling.type, RopeScalingType::kLinear);
  EXPECT_EQ(config->ropeScaling.factor, 4.0);
  EXPECT_FALSE(config->tieWordEmbeddings);

  StatusOr<ModelConfig> noTokens = configOf(llamaFile("tokenizer.ggml.tokens", [](GgufWriter &w) {
    w.scalar<uint32_t>("llama.vocab_size", 4, 5);
  }));
  ASSERT_TRUE(noTokens.isOk()) << noTokens.status().toString();
  EXPECT_EQ(noTokens->vocabSize, 5);
}

TEST(GgufConfigTest, RejectsMissingAndInconsistentKeys) {
  expectConfigError(llamaFile("llama.block_count"),
                    "model.gguf: missing required metadata key 'llama.block_count'");
  expectConfigError(llamaFile("llama.attention.layer_norm_rms_epsilon"),
                    "model.gguf: missing required metadata key "
                    "'llama.attention.layer_norm_rms_epsilon'");
  expectConfigError(llamaFile("general.architecture"),
                    "model.gguf: missing required metadata key 'general.architecture'");
  expectConfigError(llamaFile("general.architecture",
                              [](GgufWriter &w) { w.string("general.architecture", "gemma2"); }),
                    "model.gguf: unsupported architecture 'gemma2' (supported: llama)");
  expectConfigError(llamaFileWith("llama.attention.head_count", 9),
                    "model.gguf: llama.attention.head_count (9) must be a multiple of "
                    "llama.attention.head_count_kv (2)");
  expectConfigError(
      llamaFile("llama.attention.head_count_kv",
                [](GgufWriter &w) { w.scalar<uint32_t>("llama.attention.head_count", 4, 6); }),
      "model.gguf: metadata key 'llama.attention.head_count' appears more than once");
  expectConfigError(
      llamaFileWith("llama.embedding_length", 60),
      "model.gguf: llama.embedding_length (60) is not a multiple of llama.attention.head_count "
      "(8) and llama.attention.key_length is absent");
  expectConfigError(
      llamaFileWith("llama.rope.dimension_count", 4),
      "model.gguf: head size 8 must equal llama.attention.value_length (8) and "
      "llama.rope.dimension_count (4): partial rotary embeddings and distinct value sizes are "
      "not supported");
  expectConfigError(llamaFile("llama.block_count",
                              [](GgufWriter &w) { w.scalar<int32_t>("llama.block_count", 5, -3); }),
                    "model.gguf: metadata key 'llama.block_count' must be positive, got -3");
  expectConfigError(
      llamaFile("llama.context_length",
                [](GgufWriter &w) { w.string("llama.context_length", "long"); }),
      "model.gguf: metadata key 'llama.context_length' must be an integer, got string 'long'");
  expectConfigError(llamaFileWith("tokenizer.ggml.eos_token_id", 5),
                    "model.gguf: tokenizer.ggml.eos_token_id 5 is outside the vocabulary (5)");
  expectConfigError(
      llamaFile("", [](GgufWriter &w) { w.string("llama.rope.scaling.type", "yarn"); }),
      "model.gguf: unsupported llama.rope.scaling.type 'yarn' (supported: none, linear)");
}

} // namespace
} // namespace loom::frontend

// config.json: stories260k, Llama 3 / Qwen2 / Mistral shapes, and errors naming field and file.
#include "frontend/Readers/ModelConfig.h"
#include "test/unit/Readers/TempDir.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace loom::frontend {
namespace {

using testing::TempDir;
using testing::stories260kDir;

TEST(ModelConfigTest, Stories260k) {
  auto config = readModelConfig(stories260kDir());
  ASSERT_TRUE(config.isOk()) << config.status().toString();
  EXPECT_EQ(config->architecture, "LlamaForCausalLM");
  EXPECT_EQ(config->modelType, "llama");
  EXPECT_EQ(config->hiddenSize, 64);
  EXPECT_EQ(config->intermediateSize, 172);
  EXPECT_EQ(config->numHiddenLayers, 5);
  EXPECT_EQ(config->numAttentionHeads, 8);
  EXPECT_EQ(config->numKeyValueHeads, 4);
  EXPECT_EQ(config->headDim, 8);
  EXPECT_EQ(config->vocabSize, 512);
  EXPECT_EQ(config->maxPositionEmbeddings, 512);
  EXPECT_DOUBLE_EQ(config->rmsNormEps, 1e-5);
  EXPECT_DOUBLE_EQ(config->ropeTheta, 10000.0);
  EXPECT_EQ(config->ropeScaling.type, RopeScalingType::kNone);
  EXPECT_TRUE(config->tieWordEmbeddings);
  EXPECT_FALSE(config->qkvBias);
  EXPECT_FALSE(config->outputBias);
  EXPECT_EQ(config->torchDtype, "float32");
  EXPECT_EQ(config->bosTokenId, 1);
  EXPECT_EQ(config->eosTokenIds, std::vector<int64_t>{2});
}

constexpr const char *kLlama32Config = R"({
  "architectures": ["LlamaForCausalLM"], "model_type": "llama",
  "hidden_size": 2048, "intermediate_size": 8192, "num_hidden_layers": 16,
  "num_attention_heads": 32, "num_key_value_heads": 8, "vocab_size": 128256,
  "max_position_embeddings": 131072, "rms_norm_eps": 1e-05, "rope_theta": 500000.0,
  "rope_scaling": {"factor": 32.0, "high_freq_factor": 4.0, "low_freq_factor": 1.0,
                   "original_max_position_embeddings": 8192, "rope_type": "llama3"},
  "tie_word_embeddings": true, "torch_dtype": "bfloat16", "attention_bias": false,
  "bos_token_id": 128000, "eos_token_id": [128001, 128008, 128009]
})";

TEST(ModelConfigTest, Llama3RopeScalingAndEosList) {
  auto config = parseModelConfig(kLlama32Config, "llama32/config.json");
  ASSERT_TRUE(config.isOk()) << config.status().toString();
  EXPECT_EQ(config->headDim, 64); // hidden / heads when head_dim is absent
  EXPECT_EQ(config->numKeyValueHeads, 8);
  EXPECT_DOUBLE_EQ(config->ropeTheta, 500000.0);
  EXPECT_EQ(config->ropeScaling.type, RopeScalingType::kLlama3);
  EXPECT_DOUBLE_EQ(config->ropeScaling.factor, 32.0);
  EXPECT_DOUBLE_EQ(config->ropeScaling.lowFreqFactor, 1.0);
  EXPECT_DOUBLE_EQ(config->ropeScaling.highFreqFactor, 4.0);
  EXPECT_EQ(config->ropeScaling.originalMaxPositionEmbeddings, 8192);
  EXPECT_EQ(config->eosTokenIds, (std::vector<int64_t>{128001, 128008, 128009}));
  EXPECT_EQ(config->bosTokenId, 128000);
  EXPECT_EQ(config->torchDtype, "bfloat16");
}

TEST(ModelConfigTest, Qwen2HasQkvBiasWithoutOutputBias) {
  auto config = parseModelConfig(R"({
    "architectures": ["Qwen2ForCausalLM"], "hidden_size": 896, "intermediate_size": 4864,
    "num_hidden_layers": 24, "num_attention_heads": 14, "num_key_value_heads": 2,
    "vocab_size": 151936, "rms_norm_eps": 1e-06, "rope_theta": 1000000.0,
    "sliding_window": 32768, "use_sliding_window": false, "tie_word_embeddings": true,
    "eos_token_id": 151643})", "qwen/config.json");
  ASSERT_TRUE(config.isOk()) << config.status().toString();
  EXPECT_TRUE(config->qkvBias);
  EXPECT_FALSE(config->outputBias);
  EXPECT_EQ(config->headDim, 64);
  EXPECT_EQ(config->maxPositionEmbeddings, 32768); // Qwen2's default
  EXPECT_FALSE(config->slidingWindow.has_value());
  EXPECT_FALSE(config->bosTokenId.has_value());
  EXPECT_EQ(config->eosTokenIds, std::vector<int64_t>{151643});
}

TEST(ModelConfigTest, MistralLinearScalingAndDefaults) {
  auto config = parseModelConfig(R"({
    "architectures": ["MistralForCausalLM"], "hidden_size": 4096, "intermediate_size": 14336,
    "num_hidden_layers": 32, "num_attention_heads": 32, "num_key_value_heads": 8,
    "head_dim": 128, "vocab_size": 32000, "sliding_window": 4096,
    "rope_scaling": {"type": "linear", "factor": 2.0}})", "mistral/config.json");
  ASSERT_TRUE(config.isOk()) << config.status().toString();
  EXPECT_EQ(config->modelType, "mistral");
  EXPECT_EQ(config->ropeScaling.type, RopeScalingType::kLinear);
  EXPECT_DOUBLE_EQ(config->ropeScaling.factor, 2.0);
  EXPECT_EQ(config->slidingWindow, 4096);
  EXPECT_DOUBLE_EQ(config->rmsNormEps, 1e-6);
  EXPECT_DOUBLE_EQ(config->ropeTheta, 10000.0);
  EXPECT_FALSE(config->tieWordEmbeddings);
  EXPECT_EQ(config->maxPositionEmbeddings, 131072);
}

TEST(ModelConfigTest, LlamaAttentionBiasCoversAllProjections) {
  auto config = parseModelConfig(R"({"architectures": ["LlamaForCausalLM"],
    "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 1,
    "num_attention_heads": 4, "vocab_size": 100, "attention_bias": true})", "c.json");
  ASSERT_TRUE(config.isOk()) << config.status().toString();
  EXPECT_TRUE(config->qkvBias);
  EXPECT_TRUE(config->outputBias);
  EXPECT_EQ(config->numKeyValueHeads, 4); // defaults to the query heads
}

/// Parses `json` as "dir/config.json" and expects an error containing `expected`.
void expectRejected(const std::string &json, std::string_view expected) {
  auto config = parseModelConfig(json, "dir/config.json");
  ASSERT_FALSE(config.isOk()) << "accepted; expected: " << expected;
  EXPECT_EQ(config.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(config.status().message().find(expected), std::string::npos)
      << config.status().message();
  EXPECT_NE(config.status().message().find("dir/config.json"), std::string::npos)
      << config.status().message();
}

std::string withField(std::string_view field) {
  return fmt::format(R"({{"architectures": ["LlamaForCausalLM"], "hidden_size": 64,
    "intermediate_size": 128, "num_hidden_layers": 1, "num_attention_heads": 4,
    "vocab_size": 100{}}})", field);
}

TEST(ModelConfigTest, MissingFieldIsNamed) {
  expectRejected(R"({"architectures": ["LlamaForCausalLM"], "intermediate_size": 128,
    "num_hidden_layers": 1, "num_attention_heads": 4, "vocab_size": 100})",
                 "missing required field 'hidden_size'");
  expectRejected(R"({"hidden_size": 64})", "missing required field 'architectures'");
}

TEST(ModelConfigTest, UnsupportedArchitecture) {
  expectRejected(R"({"architectures": ["GPT2LMHeadModel"]})",
                 "unsupported architecture 'GPT2LMHeadModel'");
}

TEST(ModelConfigTest, UnsupportedRopeScaling) {
  expectRejected(withField(R"(, "rope_scaling": {"rope_type": "yarn", "factor": 4.0})"),
                 "unsupported rope_scaling type 'yarn'");
  expectRejected(withField(R"(, "rope_scaling": {"rope_type": "llama3", "factor": 8.0})"),
                 "rope_scaling: missing required field 'low_freq_factor'");
}

TEST(ModelConfigTest, BadValues) {
  expectRejected(withField(R"(, "num_key_value_heads": 3)"),
                 "num_attention_heads (4) must be a multiple of num_key_value_heads (3)");
  expectRejected(withField(R"(, "hidden_act": "gelu")"), "unsupported hidden_act 'gelu'");
  expectRejected(withField(R"(, "torch_dtype": "int8")"), "unsupported torch_dtype 'int8'");
  expectRejected(withField(R"(, "rms_norm_eps": "small")"),
                 "field 'rms_norm_eps' must be a number, got \"small\"");
  expectRejected(withField(R"(, "eos_token_id": 100)"),
                 "eos_token_id 100 is outside the vocabulary (100)");
  expectRejected(R"({"architectures": ["LlamaForCausalLM"], "hidden_size": -64})",
                 "field 'hidden_size' must be positive, got -64");
  expectRejected(R"({"architectures": ["LlamaForCausalLM"], "hidden_size": 6.5})",
                 "field 'hidden_size' must be an integer, got 6.5");
}

TEST(ModelConfigTest, MalformedJsonAndMissingFile) {
  expectRejected("{\"architectures\": [", "malformed JSON");
  auto missing = readModelConfig("/nonexistent/loom-model");
  ASSERT_FALSE(missing.isOk());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("cannot open /nonexistent/loom-model"),
            std::string::npos)
      << missing.status().message();
}

} // namespace
} // namespace loom::frontend

// Llama-family configs (Llama 3.2, Qwen2, Mistral, SmolLM, untied) build and verify; unsupported
// ones are errors naming what.
#include "frontend/Models/LlamaForward.h"
#include "dialects/Graph/IR/GraphOps.h"
#include "test/unit/Frontend/FrontendTestSupport.h"

#include <gtest/gtest.h>

namespace loom::models {
namespace {

using frontend::ModelConfig;

ModelConfig parse(const std::string &json) {
  auto config = frontend::parseModelConfig(json, "config.json");
  EXPECT_TRUE(config.isOk()) << config.status().toString();
  return config.isOk() ? *config : ModelConfig();
}

/// Llama-3.2-1B's config.json.
const char *kLlama32_1B = R"({
  "architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 2048,
  "intermediate_size": 8192, "num_hidden_layers": 16, "num_attention_heads": 32,
  "num_key_value_heads": 8, "head_dim": 64, "vocab_size": 128256,
  "max_position_embeddings": 131072, "rms_norm_eps": 1e-05, "rope_theta": 500000.0,
  "rope_scaling": {"factor": 32.0, "high_freq_factor": 4.0, "low_freq_factor": 1.0,
                   "original_max_position_embeddings": 8192, "rope_type": "llama3"},
  "tie_word_embeddings": true, "torch_dtype": "bfloat16", "hidden_act": "silu",
  "attention_bias": false, "mlp_bias": false, "bos_token_id": 128000, "eos_token_id": 128001})";

/// Qwen2.5-0.5B's config.json (q/k/v biases are implied by the architecture).
const char *kQwen2 = R"({
  "architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "hidden_size": 896,
  "intermediate_size": 4864, "num_hidden_layers": 24, "num_attention_heads": 14,
  "num_key_value_heads": 2, "vocab_size": 151936, "max_position_embeddings": 32768,
  "rms_norm_eps": 1e-06, "rope_theta": 1000000.0, "sliding_window": 32768,
  "use_sliding_window": false, "tie_word_embeddings": true, "torch_dtype": "bfloat16",
  "hidden_act": "silu", "bos_token_id": 151643, "eos_token_id": 151643})";

/// Mistral-7B-v0.3's config.json, with `sliding_window` spliced in where a test needs one.
std::string mistral(const std::string &slidingWindow) {
  return R"({
  "architectures": ["MistralForCausalLM"], "model_type": "mistral", "hidden_size": 4096,
  "intermediate_size": 14336, "num_hidden_layers": 32, "num_attention_heads": 32,
  "num_key_value_heads": 8, "vocab_size": 32768, "max_position_embeddings": 32768,
  "rms_norm_eps": 1e-05, "rope_theta": 1000000.0, "sliding_window": )" +
         slidingWindow + R"(, "tie_word_embeddings": false, "torch_dtype": "bfloat16",
  "hidden_act": "silu", "bos_token_id": 1, "eos_token_id": 2})";
}

/// SmolLM2-135M's config.json.
const char *kSmolLM = R"({
  "architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 576,
  "intermediate_size": 1536, "num_hidden_layers": 30, "num_attention_heads": 9,
  "num_key_value_heads": 3, "vocab_size": 49152, "max_position_embeddings": 8192,
  "rms_norm_eps": 1e-05, "rope_theta": 100000, "tie_word_embeddings": true,
  "torch_dtype": "bfloat16", "hidden_act": "silu", "bos_token_id": 0, "eos_token_id": 0})";

std::string typeOf(mlir::Type type) {
  std::string text;
  llvm::raw_string_ostream stream(text);
  type.print(stream);
  return text;
}

/// The first op of type OpT in `module`.
template <typename OpT> OpT firstOp(mlir::ModuleOp module) {
  OpT found;
  module->walk([&](OpT op) {
    if (!found)
      found = op;
  });
  return found;
}

bool hasWeight(const LlamaForward &forward, const WeightSpec &spec) {
  return std::find(forward.weights.begin(), forward.weights.end(), spec) != forward.weights.end();
}

bool hasWeightNamed(const LlamaForward &forward, const std::string &name) {
  return std::any_of(forward.weights.begin(), forward.weights.end(),
                     [&](const WeightSpec &w) { return w.name == name; });
}

TEST(LlamaConfigsTest, Llama32OneBillionHasGqaLlama3RopeAndTiedEmbeddings) {
  mlir::MLIRContext context;
  auto forward = buildLlamaForward(context, parse(kLlama32_1B));
  ASSERT_TRUE(forward.isOk()) << forward.status().toString();
  mlir::ModuleOp module = *forward->module;
  auto function = test::onlyFunction(module);
  EXPECT_EQ(typeOf(function.getFunctionType()),
            "(tensor<?xi32>, tensor<?xi32>, tensor<?xi32>, tensor<?xi32>, tensor<?xi32>, "
            "tensor<?x?xi32>, tensor<?xi32>, !graph.kv_cache<layers = 16, blocks = 1024, "
            "blockSize = 16, kvHeads = 8, headDim = 64, elementType = bf16>) -> "
            "(tensor<?x128256xf32>, !graph.kv_cache<layers = 16, blocks = 1024, blockSize = 16, "
            "kvHeads = 8, headDim = 64, elementType = bf16>)");
  EXPECT_EQ(forward->maxBlocksPerSeq, 131072 / 16);
  auto rope = firstOp<graph::RopeOp>(module);
  ASSERT_TRUE(rope);
  EXPECT_EQ(rope.getHeadDim(), 64);
  EXPECT_FLOAT_EQ(rope.getTheta().convertToFloat(), 500000.0f);
  ASSERT_TRUE(rope.getScalingFactor() && rope.getOriginalMaxPosition());
  EXPECT_FLOAT_EQ(rope.getScalingFactor()->convertToFloat(), 32.0f);
  EXPECT_FLOAT_EQ(rope.getLowFreqFactor()->convertToFloat(), 1.0f);
  EXPECT_FLOAT_EQ(rope.getHighFreqFactor()->convertToFloat(), 4.0f);
  EXPECT_EQ(*rope.getOriginalMaxPosition(), 8192u);
  auto attention = firstOp<graph::PagedAttentionOp>(module);
  EXPECT_EQ(attention.getNumHeads(), 32);
  EXPECT_EQ(attention.getNumKvHeads(), 8);
  EXPECT_FLOAT_EQ(attention.getScale().convertToFloat(), 0.125f);
  // One QKV GEMM over 32·64 + 2·8·64 rows, bf16.
  auto qkv = firstOp<graph::LinearOp>(module);
  EXPECT_EQ(typeOf(qkv.getWeight().getType()), "tensor<3072x2048xbf16>");
  EXPECT_FALSE(qkv.getBias());
  EXPECT_EQ(forward->weights.size(), 1u + 16 * 9 + 1) << "tied: no lm_head.weight";
  EXPECT_FALSE(hasWeightNamed(*forward, "lm_head.weight"));
  EXPECT_TRUE(hasWeight(*forward, {"model.layers.15.mlp.down_proj.weight", {2048, 8192},
                                   DType::bf16}));
  EXPECT_EQ(test::opCounts(module)["graph.cast"], 1) << "bf16 logits are cast to f32";
}

TEST(LlamaConfigsTest, Qwen2HasQkvBiasesInTheMergedProjection) {
  mlir::MLIRContext context;
  auto forward = buildLlamaForward(context, parse(kQwen2));
  ASSERT_TRUE(forward.isOk()) << forward.status().toString();
  auto qkv = firstOp<graph::LinearOp>(*forward->module);
  ASSERT_TRUE(qkv.getBias());
  EXPECT_EQ(typeOf(qkv.getBias().getType()), "tensor<1152xbf16>") << "896 + 2 * 2 * 64";
  EXPECT_TRUE(hasWeight(*forward, {"model.layers.0.self_attn.q_proj.bias", {896}, DType::bf16}));
  EXPECT_TRUE(hasWeight(*forward, {"model.layers.23.self_attn.k_proj.bias", {128}, DType::bf16}));
  EXPECT_TRUE(hasWeight(*forward, {"model.layers.23.self_attn.v_proj.bias", {128}, DType::bf16}));
  EXPECT_FALSE(hasWeightNamed(*forward, "model.layers.0.self_attn.o_proj.bias"));
  EXPECT_EQ(forward->weights.size(), 1u + 24 * 12 + 1);
  EXPECT_EQ(firstOp<graph::RopeOp>(*forward->module).getHeadDim(), 64) << "896 / 14";
  EXPECT_FALSE(firstOp<graph::RopeOp>(*forward->module).getScalingFactor());
}

TEST(LlamaConfigsTest, MistralWithoutSlidingWindowHasAnUntiedLmHead) {
  mlir::MLIRContext context;
  auto forward = buildLlamaForward(context, parse(mistral("null")));
  ASSERT_TRUE(forward.isOk()) << forward.status().toString();
  EXPECT_TRUE(hasWeight(*forward, {"lm_head.weight", {32768, 4096}, DType::bf16}));
  EXPECT_EQ(forward->weights.size(), 1u + 32 * 9 + 2);
  auto logits = test::onlyFunction(*forward->module).getFunctionType().getResult(0);
  EXPECT_EQ(typeOf(logits), "tensor<?x32768xf32>");
}

TEST(LlamaConfigsTest, ASlidingWindowShorterThanTheContextIsAnError) {
  mlir::MLIRContext context;
  ModelConfig config = parse(mistral("4096"));
  auto forward = buildLlamaForward(context, config);
  ASSERT_FALSE(forward.isOk());
  EXPECT_EQ(forward.status().message(),
            "MistralForCausalLM: sliding_window 4096 is shorter than the max context 32768; "
            "windowed attention is not supported (build with maxContext <= 4096)");
  ForwardOptions options;
  options.maxContext = 4096;
  auto bounded = buildLlamaForward(context, config, options);
  ASSERT_TRUE(bounded.isOk()) << bounded.status().toString();
  EXPECT_EQ(bounded->maxBlocksPerSeq, 256);
}

TEST(LlamaConfigsTest, SmolLMBuildsWithNineHeadsOfSixtyFour) {
  mlir::MLIRContext context;
  ForwardOptions options;
  options.dtype = DType::f16;
  auto forward = buildLlamaForward(context, parse(kSmolLM), options);
  ASSERT_TRUE(forward.isOk()) << forward.status().toString();
  EXPECT_EQ(forward->dtype, DType::f16);
  auto attention = firstOp<graph::PagedAttentionOp>(*forward->module);
  EXPECT_EQ(attention.getNumHeads(), 9);
  EXPECT_EQ(attention.getNumKvHeads(), 3);
  EXPECT_EQ(attention.getHeadDim(), 64);
  EXPECT_EQ(test::opCounts(*forward->module)["graph.paged_attention"], 30);
}

/// A small config for the error cases, edited per case.
ModelConfig tinyConfig() {
  ModelConfig config;
  config.architecture = "LlamaForCausalLM";
  config.modelType = "llama";
  config.hiddenSize = 16;
  config.intermediateSize = 32;
  config.numHiddenLayers = 2;
  config.numAttentionHeads = 4;
  config.numKeyValueHeads = 2;
  config.headDim = 4;
  config.vocabSize = 64;
  config.maxPositionEmbeddings = 128;
  config.rmsNormEps = 1e-5;
  config.tieWordEmbeddings = false;
  config.torchDtype = "float32";
  return config;
}

TEST(LlamaConfigsTest, AnUntiedTinyModelBuildsAndVerifies) {
  mlir::MLIRContext context;
  auto forward = buildLlamaForward(context, tinyConfig());
  ASSERT_TRUE(forward.isOk()) << forward.status().toString();
  EXPECT_TRUE(hasWeight(*forward, {"lm_head.weight", {64, 16}, DType::f32}));
  EXPECT_TRUE(hasWeight(*forward, {"model.embed_tokens.weight", {64, 16}, DType::f32}));
  EXPECT_EQ(test::opCounts(*forward->module)["graph.cast"], 0) << "f32 logits need no cast";
}

struct UnsupportedCase {
  std::string name;
  void (*edit)(ModelConfig &, ForwardOptions &);
  std::string message;
};

void PrintTo(const UnsupportedCase &c, std::ostream *os) { *os << c.name; }

class LlamaUnsupportedTest : public ::testing::TestWithParam<UnsupportedCase> {};

TEST_P(LlamaUnsupportedTest, IsAnErrorNamingIt) {
  ModelConfig config = tinyConfig();
  ForwardOptions options;
  GetParam().edit(config, options);
  mlir::MLIRContext context;
  auto forward = buildLlamaForward(context, config, options);
  ASSERT_FALSE(forward.isOk());
  EXPECT_EQ(forward.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(forward.status().message(), GetParam().message);
}

const UnsupportedCase kUnsupported[] = {
    {"Architecture", [](ModelConfig &c, ForwardOptions &) { c.architecture = "FalconForCausalLM"; },
     "unsupported architecture 'FalconForCausalLM' (supported: LlamaForCausalLM, "
     "MistralForCausalLM, Qwen2ForCausalLM)"},
    {"LinearRopeScaling",
     [](ModelConfig &c, ForwardOptions &) {
       c.ropeScaling.type = frontend::RopeScalingType::kLinear;
       c.ropeScaling.factor = 2.0;
     },
     "LlamaForCausalLM: unsupported rope_scaling type 'linear' (supported: default, llama3)"},
    {"OddHeadDim", [](ModelConfig &c, ForwardOptions &) { c.headDim = 5; },
     "LlamaForCausalLM: head_dim must be even for RoPE, got 5"},
    {"HeadsNotAMultiple", [](ModelConfig &c, ForwardOptions &) { c.numKeyValueHeads = 3; },
     "LlamaForCausalLM: num_attention_heads (4) must be a multiple of num_key_value_heads (3)"},
    {"ZeroLayers", [](ModelConfig &c, ForwardOptions &) { c.numHiddenLayers = 0; },
     "LlamaForCausalLM: num_hidden_layers must be positive, got 0"},
    {"TorchDtype", [](ModelConfig &c, ForwardOptions &) { c.torchDtype = "int8"; },
     "LlamaForCausalLM: unsupported torch_dtype 'int8' (supported: float32, float16, bfloat16)"},
    {"IndexDtypeOption", [](ModelConfig &, ForwardOptions &o) { o.dtype = DType::i32; },
     "LlamaForCausalLM: the model dtype must be bf16, f16 or f32, got i32"},
    {"BlockSizeOption", [](ModelConfig &, ForwardOptions &o) { o.blockSize = 0; },
     "LlamaForCausalLM: option blockSize must be positive, got 0"},
};

INSTANTIATE_TEST_SUITE_P(Cases, LlamaUnsupportedTest, ::testing::ValuesIn(kUnsupported),
                         [](const auto &info) { return info.param.name; });

TEST(LlamaConfigsTest, TheConfigReaderRejectsAnUnknownArchitectureByName) {
  auto config = frontend::parseModelConfig(
      R"({"architectures": ["GPT2LMHeadModel"], "hidden_size": 8})", "gpt2/config.json");
  ASSERT_FALSE(config.isOk());
  EXPECT_NE(config.status().message().find("unsupported architecture 'GPT2LMHeadModel'"),
            std::string::npos)
      << config.status().message();
}

} // namespace
} // namespace loom::models

// The Hugging Face config.json of a Llama-family model (Llama 2/3, Mistral, Qwen2, SmolLM).
#pragma once

#include "runtime/Support/Status.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace loom::frontend {

/// How RoPE frequencies are rescaled for long contexts.
enum class RopeScalingType { kNone, kLinear, kLlama3 };

/// `rope_scaling` of config.json. kLinear uses `factor`; kLlama3 uses all fields.
struct RopeScaling {
  RopeScalingType type = RopeScalingType::kNone;
  double factor = 1.0;
  double lowFreqFactor = 1.0;
  double highFreqFactor = 4.0;
  int64_t originalMaxPositionEmbeddings = 0;
};

/// The fields of config.json that shape a Llama-family decoder. Defaults for
/// absent optional fields are those of the architecture's transformers config.
struct ModelConfig {
  std::string architecture; ///< e.g. "LlamaForCausalLM"
  std::string modelType;    ///< e.g. "llama"
  int64_t hiddenSize = 0;
  int64_t intermediateSize = 0;
  int64_t numHiddenLayers = 0;
  int64_t numAttentionHeads = 0;
  int64_t numKeyValueHeads = 0; ///< defaults to numAttentionHeads
  int64_t headDim = 0;          ///< defaults to hiddenSize / numAttentionHeads
  int64_t vocabSize = 0;
  int64_t maxPositionEmbeddings = 0;
  double rmsNormEps = 1e-6;
  double ropeTheta = 10000.0;
  RopeScaling ropeScaling;
  bool tieWordEmbeddings = false;
  bool qkvBias = false;    ///< q/k/v projections have biases (Qwen2, Llama attention_bias)
  bool outputBias = false; ///< o_proj has a bias (Llama attention_bias)
  bool mlpBias = false;
  std::optional<int64_t> slidingWindow; ///< Mistral / Qwen2 when enabled
  std::string torchDtype;               ///< "float32", "float16", "bfloat16" or ""
  std::optional<int64_t> bosTokenId;
  std::vector<int64_t> eosTokenIds; ///< config.json may give one id or a list
};

/// Parses config.json text; `source` names the file in errors.
StatusOr<ModelConfig> parseModelConfig(std::string_view text, std::string_view source);

/// Reads `path`: a config.json file or a model folder holding one.
StatusOr<ModelConfig> readModelConfig(const std::string &path);

} // namespace loom::frontend

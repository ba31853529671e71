// config.json → ModelConfig, with architecture defaults and validation.
#include "frontend/Readers/ModelConfig.h"

#include "frontend/Readers/JsonFields.h"
#include "runtime/Support/Files.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <filesystem>

namespace loom::frontend {
namespace {

/// An architecture Loom builds, with the defaults of its transformers config.
struct ArchitectureInfo {
  std::string_view name;
  std::string_view modelType;
  int64_t defaultMaxPositions;
  bool hasQkvBias; ///< Qwen2 always has q/k/v biases and no attention_bias field
};

constexpr std::array<ArchitectureInfo, 3> kArchitectures = {{
    {"LlamaForCausalLM", "llama", 2048, false},
    {"MistralForCausalLM", "mistral", 4096 * 32, false},
    {"Qwen2ForCausalLM", "qwen2", 32768, true},
}};

constexpr std::array<std::string_view, 4> kDtypes = {"float32", "float16", "bfloat16",
                                                     "auto"};

Status invalid(std::string message) {
  return Status(StatusCode::kInvalidArgument, std::move(message));
}

StatusOr<const ArchitectureInfo *> readArchitecture(const JsonFields &fields) {
  const nlohmann::json *list = fields.find("architectures");
  if (!list)
    return fields.missing("architectures");
  if (!list->is_array() || list->size() != 1 || !(*list)[0].is_string())
    return fields.wrongType("architectures", "a list of one architecture name", *list);
  std::string name = (*list)[0].get<std::string>();
  for (const ArchitectureInfo &info : kArchitectures)
    if (info.name == name)
      return &info;
  return invalid(fmt::format("{}: unsupported architecture '{}' (supported: "
                             "LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM)",
                             fields.source(), name));
}

StatusOr<int64_t> requirePositive(const JsonFields &fields, std::string_view key) {
  LOOM_ASSIGN_OR_RETURN(int64_t value, fields.requireInt(key));
  if (value <= 0)
    return invalid(fmt::format("{}: field '{}' must be positive, got {}", fields.source(),
                               key, value));
  return value;
}

StatusOr<double> requirePositiveNumber(const JsonFields &fields, std::string_view key) {
  LOOM_ASSIGN_OR_RETURN(double value, fields.requireNumber(key));
  if (!(value > 0))
    return invalid(fmt::format("{}: field '{}' must be positive, got {}", fields.source(),
                               key, value));
  return value;
}

/// rope_scaling (transformers ≤ 4.x) or rope_parameters (5.x): null, default, linear, llama3.
Status readRopeScaling(const nlohmann::json &value, std::string_view key,
                       const std::string &source, RopeScaling &out) {
  if (!value.is_object())
    return invalid(fmt::format("{}: field '{}' must be an object or null, got {}", source,
                               key, briefJson(value)));
  JsonFields fields(value, fmt::format("{}: {}", source, key));
  std::string typeKey = fields.has("rope_type") ? "rope_type" : "type";
  LOOM_ASSIGN_OR_RETURN(std::string type, fields.optionalString(typeKey, "default"));
  if (type == "default")
    return Status::ok();
  if (type == "linear") {
    out.type = RopeScalingType::kLinear;
    LOOM_ASSIGN_OR_RETURN(out.factor, requirePositiveNumber(fields, "factor"));
    return Status::ok();
  }
  if (type == "llama3") {
    out.type = RopeScalingType::kLlama3;
    LOOM_ASSIGN_OR_RETURN(out.factor, requirePositiveNumber(fields, "factor"));
    LOOM_ASSIGN_OR_RETURN(out.lowFreqFactor, requirePositiveNumber(fields, "low_freq_factor"));
    LOOM_ASSIGN_OR_RETURN(out.highFreqFactor,
                          requirePositiveNumber(fields, "high_freq_factor"));
    LOOM_ASSIGN_OR_RETURN(out.originalMaxPositionEmbeddings,
                          requirePositive(fields, "original_max_position_embeddings"));
    if (out.highFreqFactor <= out.lowFreqFactor)
      return invalid(fmt::format("{}: high_freq_factor ({}) must exceed low_freq_factor "
                                 "({})", fields.source(), out.highFreqFactor,
                                 out.lowFreqFactor));
    return Status::ok();
  }
  return invalid(fmt::format("{}: unsupported {} type '{}' (supported: default, linear, "
                             "llama3)", source, key, type));
}

StatusOr<std::vector<int64_t>> readTokenIds(const JsonFields &fields, std::string_view key) {
  std::vector<int64_t> ids;
  const nlohmann::json *value = fields.find(key);
  if (!value)
    return ids;
  int64_t id = 0;
  if (jsonToInt(*value, id) && id >= 0)
    return std::vector<int64_t>{id};
  if (!value->is_array())
    return fields.wrongType(key, "a token id or a list of token ids", *value);
  for (const nlohmann::json &item : *value) {
    if (!jsonToInt(item, id) || id < 0)
      return fields.wrongType(key, "a token id or a list of token ids", *value);
    ids.push_back(id);
  }
  return ids;
}

Status readShape(const JsonFields &fields, ModelConfig &config) {
  LOOM_ASSIGN_OR_RETURN(config.hiddenSize, requirePositive(fields, "hidden_size"));
  LOOM_ASSIGN_OR_RETURN(config.intermediateSize, requirePositive(fields, "intermediate_size"));
  LOOM_ASSIGN_OR_RETURN(config.numHiddenLayers, requirePositive(fields, "num_hidden_layers"));
  LOOM_ASSIGN_OR_RETURN(config.numAttentionHeads,
                        requirePositive(fields, "num_attention_heads"));
  LOOM_ASSIGN_OR_RETURN(config.vocabSize, requirePositive(fields, "vocab_size"));
  config.numKeyValueHeads = config.numAttentionHeads;
  if (fields.has("num_key_value_heads")) {
    LOOM_ASSIGN_OR_RETURN(config.numKeyValueHeads,
                          requirePositive(fields, "num_key_value_heads"));
  }
  if (config.numAttentionHeads % config.numKeyValueHeads != 0)
    return invalid(fmt::format("{}: num_attention_heads ({}) must be a multiple of "
                               "num_key_value_heads ({})", fields.source(),
                               config.numAttentionHeads, config.numKeyValueHeads));
  if (fields.has("head_dim")) {
    LOOM_ASSIGN_OR_RETURN(config.headDim, requirePositive(fields, "head_dim"));
  } else {
    if (config.hiddenSize % config.numAttentionHeads != 0)
      return invalid(fmt::format("{}: hidden_size ({}) is not a multiple of "
                                 "num_attention_heads ({}) and head_dim is absent",
                                 fields.source(), config.hiddenSize,
                                 config.numAttentionHeads));
    config.headDim = config.hiddenSize / config.numAttentionHeads;
  }
  return Status::ok();
}

Status readAttentionOptions(const JsonFields &fields, const ArchitectureInfo &arch,
                            ModelConfig &config) {
  LOOM_ASSIGN_OR_RETURN(bool attentionBias, fields.optionalBool("attention_bias", false));
  config.qkvBias = arch.hasQkvBias || attentionBias;
  config.outputBias = !arch.hasQkvBias && attentionBias;
  LOOM_ASSIGN_OR_RETURN(config.mlpBias, fields.optionalBool("mlp_bias", false));
  LOOM_ASSIGN_OR_RETURN(bool useSlidingWindow,
                        fields.optionalBool("use_sliding_window", arch.name != "Qwen2ForCausalLM"));
  if (useSlidingWindow && fields.has("sliding_window")) {
    LOOM_ASSIGN_OR_RETURN(config.slidingWindow, requirePositive(fields, "sliding_window"));
  }
  LOOM_ASSIGN_OR_RETURN(std::string act, fields.optionalString("hidden_act", "silu"));
  if (act != "silu")
    return invalid(fmt::format("{}: unsupported hidden_act '{}' (Llama-family models use "
                               "silu)", fields.source(), act));
  return Status::ok();
}

Status readRope(const JsonFields &fields, ModelConfig &config) {
  const std::string &source = fields.source();
  if (const nlohmann::json *parameters = fields.find("rope_parameters")) {
    JsonFields nested(*parameters, fmt::format("{}: rope_parameters", source));
    LOOM_ASSIGN_OR_RETURN(config.ropeTheta, nested.optionalNumber("rope_theta", 10000.0));
    LOOM_RETURN_IF_ERROR(readRopeScaling(*parameters, "rope_parameters", source,
                                         config.ropeScaling));
  } else {
    LOOM_ASSIGN_OR_RETURN(config.ropeTheta, fields.optionalNumber("rope_theta", 10000.0));
    if (const nlohmann::json *scaling = fields.find("rope_scaling"))
      LOOM_RETURN_IF_ERROR(readRopeScaling(*scaling, "rope_scaling", source,
                                           config.ropeScaling));
  }
  if (!(config.ropeTheta > 0))
    return invalid(fmt::format("{}: field 'rope_theta' must be positive, got {}", source,
                               config.ropeTheta));
  return Status::ok();
}

} // namespace

StatusOr<ModelConfig> parseModelConfig(std::string_view text, std::string_view source) {
  LOOM_ASSIGN_OR_RETURN(nlohmann::json json, parseJson(text, source));
  std::string where(source);
  if (!json.is_object())
    return invalid(fmt::format("{}: must be a JSON object, got {}", where, briefJson(json)));
  JsonFields fields(json, where);
  ModelConfig config;
  LOOM_ASSIGN_OR_RETURN(const ArchitectureInfo *arch, readArchitecture(fields));
  config.architecture = std::string(arch->name);
  LOOM_ASSIGN_OR_RETURN(config.modelType,
                        fields.optionalString("model_type", std::string(arch->modelType)));
  LOOM_RETURN_IF_ERROR(readShape(fields, config));
  LOOM_RETURN_IF_ERROR(readAttentionOptions(fields, *arch, config));
  LOOM_RETURN_IF_ERROR(readRope(fields, config));
  LOOM_ASSIGN_OR_RETURN(config.maxPositionEmbeddings,
                        fields.optionalInt("max_position_embeddings", arch->defaultMaxPositions));
  if (config.maxPositionEmbeddings <= 0)
    return invalid(fmt::format("{}: field 'max_position_embeddings' must be positive, "
                               "got {}", where, config.maxPositionEmbeddings));
  LOOM_ASSIGN_OR_RETURN(config.rmsNormEps, fields.optionalNumber("rms_norm_eps", 1e-6));
  if (!(config.rmsNormEps > 0))
    return invalid(fmt::format("{}: field 'rms_norm_eps' must be positive, got {}", where,
                               config.rmsNormEps));
  LOOM_ASSIGN_OR_RETURN(config.tieWordEmbeddings,
                        fields.optionalBool("tie_word_embeddings", false));

  std::string dtypeKey = fields.has("torch_dtype") ? "torch_dtype" : "dtype";
  LOOM_ASSIGN_OR_RETURN(config.torchDtype, fields.optionalString(dtypeKey, ""));
  if (!config.torchDtype.empty() &&
      std::find(kDtypes.begin(), kDtypes.end(), config.torchDtype) == kDtypes.end())
    return invalid(fmt::format("{}: unsupported {} '{}' (supported: float32, float16, "
                               "bfloat16)", where, dtypeKey, config.torchDtype));

  LOOM_ASSIGN_OR_RETURN(std::vector<int64_t> bos, readTokenIds(fields, "bos_token_id"));
  if (bos.size() > 1)
    return fields.wrongType("bos_token_id", "a single token id", *fields.find("bos_token_id"));
  if (!bos.empty())
    config.bosTokenId = bos[0];
  LOOM_ASSIGN_OR_RETURN(config.eosTokenIds, readTokenIds(fields, "eos_token_id"));
  for (int64_t id : config.eosTokenIds)
    if (id >= config.vocabSize)
      return invalid(fmt::format("{}: eos_token_id {} is outside the vocabulary ({})",
                                 where, id, config.vocabSize));
  if (config.bosTokenId && *config.bosTokenId >= config.vocabSize)
    return invalid(fmt::format("{}: bos_token_id {} is outside the vocabulary ({})", where,
                               *config.bosTokenId, config.vocabSize));
  return config;
}

StatusOr<ModelConfig> readModelConfig(const std::string &path) {
  std::error_code error;
  std::string file = std::filesystem::is_directory(path, error)
                         ? (std::filesystem::path(path) / "config.json").string()
                         : path;
  LOOM_ASSIGN_OR_RETURN(std::string text, readFile(file));
  return parseModelConfig(text, file);
}

} // namespace loom::frontend

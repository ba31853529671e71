// GGUF metadata → ModelConfig, with the same consistency checks as config.json.
#include "frontend/Readers/GgufConfig.h"

#include <fmt/format.h>

#include <array>
#include <optional>

namespace loom::frontend {
namespace {

/// A GGUF architecture Loom builds, and the config.json names it corresponds to.
struct GgufArchitecture {
  std::string_view ggufName;
  std::string_view hfArchitecture;
  std::string_view modelType;
};

constexpr std::array<GgufArchitecture, 1> kArchitectures = {{
    {"llama", "LlamaForCausalLM", "llama"},
}};

/// Reads `<arch>.<key>` metadata with the architecture prefix applied.
class ArchKeys {
public:
  ArchKeys(const GgufMetadata &metadata, std::string_view arch)
      : metadata_(metadata), prefix_(fmt::format("{}.", arch)) {}

  std::string key(std::string_view name) const { return prefix_ + std::string(name); }
  bool has(std::string_view name) const { return metadata_.has(key(name)); }

  StatusOr<int64_t> requirePositive(std::string_view name) const {
    LOOM_ASSIGN_OR_RETURN(int64_t value, metadata_.requireInt(key(name)));
    return checkPositive(name, value);
  }
  StatusOr<int64_t> optionalPositive(std::string_view name, int64_t fallback) const {
    return has(name) ? requirePositive(name) : StatusOr<int64_t>(fallback);
  }
  /// A positive number; absent → `fallback`, or an error when there is none.
  StatusOr<double> positiveNumber(std::string_view name, std::optional<double> fallback) const {
    LOOM_ASSIGN_OR_RETURN(double value, fallback ? metadata_.optionalNumber(key(name), *fallback)
                                                 : metadata_.requireNumber(key(name)));
    if (!(value > 0))
      return metadata_.invalid(
          fmt::format("metadata key '{}' must be positive, got {}", key(name), value));
    return value;
  }

private:
  StatusOr<int64_t> checkPositive(std::string_view name, int64_t value) const {
    if (value <= 0)
      return metadata_.invalid(
          fmt::format("metadata key '{}' must be positive, got {}", key(name), value));
    return value;
  }

  const GgufMetadata &metadata_;
  std::string prefix_;
};

StatusOr<const GgufArchitecture *> readArchitecture(const GgufMetadata &metadata) {
  LOOM_ASSIGN_OR_RETURN(std::string name, metadata.requireString("general.architecture"));
  for (const GgufArchitecture &arch : kArchitectures)
    if (arch.ggufName == name)
      return &arch;
  return metadata.invalid(fmt::format("unsupported architecture '{}' (supported: llama)", name));
}

Status readAttentionShape(const GgufMetadata &metadata, const ArchKeys &keys, ModelConfig &config) {
  LOOM_ASSIGN_OR_RETURN(config.numAttentionHeads, keys.requirePositive("attention.head_count"));
  LOOM_ASSIGN_OR_RETURN(config.numKeyValueHeads,
                        keys.optionalPositive("attention.head_count_kv", config.numAttentionHeads));
  if (config.numAttentionHeads % config.numKeyValueHeads != 0)
    return metadata.invalid(fmt::format(
        "{} ({}) must be a multiple of {} ({})", keys.key("attention.head_count"),
        config.numAttentionHeads, keys.key("attention.head_count_kv"), config.numKeyValueHeads));
  if (keys.has("attention.key_length")) {
    LOOM_ASSIGN_OR_RETURN(config.headDim, keys.requirePositive("attention.key_length"));
  } else {
    if (config.hiddenSize % config.numAttentionHeads != 0)
      return metadata.invalid(fmt::format(
          "{} ({}) is not a multiple of {} ({}) and {} is "
          "absent",
          keys.key("embedding_length"), config.hiddenSize, keys.key("attention.head_count"),
          config.numAttentionHeads, keys.key("attention.key_length")));
    config.headDim = config.hiddenSize / config.numAttentionHeads;
  }
  LOOM_ASSIGN_OR_RETURN(int64_t valueLength,
                        keys.optionalPositive("attention.value_length", config.headDim));
  LOOM_ASSIGN_OR_RETURN(int64_t ropeDims,
                        keys.optionalPositive("rope.dimension_count", config.headDim));
  if (valueLength != config.headDim || ropeDims != config.headDim)
    return metadata.invalid(fmt::format("head size {} must equal {} ({}) and {} ({}): partial "
                                        "rotary embeddings and distinct value sizes are not "
                                        "supported",
                                        config.headDim, keys.key("attention.value_length"),
                                        valueLength, keys.key("rope.dimension_count"), ropeDims));
  return Status::ok();
}

Status readRope(const GgufMetadata &metadata, const ArchKeys &keys, ModelConfig &config) {
  LOOM_ASSIGN_OR_RETURN(config.ropeTheta, keys.positiveNumber("rope.freq_base", 10000.0));
  LOOM_ASSIGN_OR_RETURN(std::string scaling,
                        metadata.optionalString(keys.key("rope.scaling.type"), "none"));
  if (scaling == "none")
    return Status::ok();
  if (scaling != "linear")
    return metadata.invalid(fmt::format("unsupported {} '{}' (supported: none, linear)",
                                        keys.key("rope.scaling.type"), scaling));
  config.ropeScaling.type = RopeScalingType::kLinear;
  LOOM_ASSIGN_OR_RETURN(config.ropeScaling.factor, keys.positiveNumber("rope.scaling.factor", 1.0));
  return Status::ok();
}

StatusOr<int64_t> readVocabSize(const GgufMetadata &metadata, const ArchKeys &keys) {
  if (const GgufValue *tokens = metadata.find("tokenizer.ggml.tokens")) {
    if (!tokens->asStrings() || tokens->size() == 0)
      return metadata.wrongType("tokenizer.ggml.tokens", "a non-empty array of strings", *tokens);
    return static_cast<int64_t>(tokens->size());
  }
  return keys.requirePositive("vocab_size");
}

Status readTokenIds(const GgufMetadata &metadata, ModelConfig &config) {
  auto readId = [&](std::string_view key) -> StatusOr<std::optional<int64_t>> {
    if (!metadata.has(key))
      return std::optional<int64_t>();
    LOOM_ASSIGN_OR_RETURN(int64_t id, metadata.requireInt(key));
    if (id < 0 || id >= config.vocabSize)
      return metadata.invalid(
          fmt::format("{} {} is outside the vocabulary ({})", key, id, config.vocabSize));
    return std::optional<int64_t>(id);
  };
  LOOM_ASSIGN_OR_RETURN(config.bosTokenId, readId("tokenizer.ggml.bos_token_id"));
  LOOM_ASSIGN_OR_RETURN(std::optional<int64_t> eos, readId("tokenizer.ggml.eos_token_id"));
  LOOM_ASSIGN_OR_RETURN(std::optional<int64_t> eot, readId("tokenizer.ggml.eot_token_id"));
  for (const std::optional<int64_t> &id : {eos, eot})
    if (id && (config.eosTokenIds.empty() || config.eosTokenIds.front() != *id))
      config.eosTokenIds.push_back(*id);
  return Status::ok();
}

} // namespace

StatusOr<ModelConfig> ggufModelConfig(const GgufFile &file) {
  const GgufMetadata &metadata = file.metadata();
  LOOM_ASSIGN_OR_RETURN(const GgufArchitecture *arch, readArchitecture(metadata));
  ArchKeys keys(metadata, arch->ggufName);
  ModelConfig config;
  config.architecture = std::string(arch->hfArchitecture);
  config.modelType = std::string(arch->modelType);
  LOOM_ASSIGN_OR_RETURN(config.hiddenSize, keys.requirePositive("embedding_length"));
  LOOM_ASSIGN_OR_RETURN(config.intermediateSize, keys.requirePositive("feed_forward_length"));
  LOOM_ASSIGN_OR_RETURN(config.numHiddenLayers, keys.requirePositive("block_count"));
  LOOM_ASSIGN_OR_RETURN(config.maxPositionEmbeddings, keys.requirePositive("context_length"));
  LOOM_RETURN_IF_ERROR(readAttentionShape(metadata, keys, config));
  LOOM_ASSIGN_OR_RETURN(config.rmsNormEps,
                        keys.positiveNumber("attention.layer_norm_rms_epsilon", std::nullopt));
  LOOM_RETURN_IF_ERROR(readRope(metadata, keys, config));
  LOOM_ASSIGN_OR_RETURN(config.vocabSize, readVocabSize(metadata, keys));
  LOOM_RETURN_IF_ERROR(readTokenIds(metadata, config));
  config.tieWordEmbeddings = file.findTensor("output.weight") == nullptr;
  config.torchDtype = "float32";
  return config;
}

} // namespace loom::frontend

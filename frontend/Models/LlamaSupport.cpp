// Support checks of the Llama-family builder, read from tables.
#include "frontend/Models/LlamaSupport.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <string_view>
#include <utility>

namespace loom::models {
namespace {

using frontend::ModelConfig;
using frontend::RopeScalingType;

/// Architectures whose decoder is the Llama block (differences are ModelConfig fields:
/// q/k/v and MLP biases, GQA, head_dim, RoPE parameters, tied embeddings).
constexpr std::array<std::string_view, 3> kArchitectures = {
    "LlamaForCausalLM", "MistralForCausalLM", "Qwen2ForCausalLM"};

struct RopeScalingSupport {
  RopeScalingType type;
  std::string_view name;
  bool supported;
};

constexpr std::array<RopeScalingSupport, 3> kRopeScalings = {{
    {RopeScalingType::kNone, "default", true},
    {RopeScalingType::kLinear, "linear", false}, // graph.rope has no position divisor
    {RopeScalingType::kLlama3, "llama3", true},
}};

constexpr std::array<std::pair<std::string_view, DType>, 3> kTorchDtypes = {{
    {"float32", DType::f32}, {"float16", DType::f16}, {"bfloat16", DType::bf16}}};

Status invalid(std::string message) {
  return Status(StatusCode::kInvalidArgument, std::move(message));
}

Status checkPositive(const ModelConfig &config, const ForwardOptions &options) {
  const std::pair<std::string_view, int64_t> fields[] = {
      {"hidden_size", config.hiddenSize},
      {"intermediate_size", config.intermediateSize},
      {"num_hidden_layers", config.numHiddenLayers},
      {"num_attention_heads", config.numAttentionHeads},
      {"num_key_value_heads", config.numKeyValueHeads},
      {"head_dim", config.headDim},
      {"vocab_size", config.vocabSize},
      {"max_position_embeddings", config.maxPositionEmbeddings},
      {"option blockSize", options.blockSize},
      {"option numBlocks", options.numBlocks},
      {"option maxTokens", options.maxTokens},
      {"option maxSeqs", options.maxSeqs},
      {"option maxContext", llamaMaxContext(config, options)},
  };
  for (auto [name, value] : fields)
    if (value <= 0)
      return invalid(fmt::format("{}: {} must be positive, got {}", config.architecture, name,
                                 value));
  return Status::ok();
}

} // namespace

int64_t llamaMaxContext(const ModelConfig &config, const ForwardOptions &options) {
  return options.maxContext != 0 ? options.maxContext : config.maxPositionEmbeddings;
}

Status checkLlamaSupport(const ModelConfig &config, const ForwardOptions &options) {
  if (std::find(kArchitectures.begin(), kArchitectures.end(), config.architecture) ==
      kArchitectures.end())
    return invalid(fmt::format("unsupported architecture '{}' (supported: {})",
                               config.architecture, fmt::join(kArchitectures, ", ")));
  LOOM_RETURN_IF_ERROR(checkPositive(config, options));
  const std::string &arch = config.architecture;
  auto scaling = std::find_if(kRopeScalings.begin(), kRopeScalings.end(),
                              [&](const auto &s) { return s.type == config.ropeScaling.type; });
  if (scaling == kRopeScalings.end() || !scaling->supported)
    return invalid(fmt::format("{}: unsupported rope_scaling type '{}' (supported: default, "
                               "llama3)",
                               arch, scaling == kRopeScalings.end() ? "?" : scaling->name));
  if (config.numAttentionHeads % config.numKeyValueHeads != 0)
    return invalid(fmt::format("{}: num_attention_heads ({}) must be a multiple of "
                               "num_key_value_heads ({})",
                               arch, config.numAttentionHeads, config.numKeyValueHeads));
  if (config.headDim % 2 != 0)
    return invalid(fmt::format("{}: head_dim must be even for RoPE, got {}", arch,
                               config.headDim));
  if (!(config.rmsNormEps > 0) || !(config.ropeTheta > 0))
    return invalid(fmt::format("{}: rms_norm_eps ({}) and rope_theta ({}) must be positive", arch,
                               config.rmsNormEps, config.ropeTheta));
  int64_t maxContext = llamaMaxContext(config, options);
  if (config.slidingWindow && *config.slidingWindow < maxContext)
    return invalid(fmt::format("{}: sliding_window {} is shorter than the max context {}; "
                               "windowed attention is not supported (build with maxContext <= "
                               "{})",
                               arch, *config.slidingWindow, maxContext, *config.slidingWindow));
  LOOM_ASSIGN_OR_RETURN(DType dtype, llamaDType(config, options));
  if (!isFloatDType(dtype))
    return invalid(fmt::format("{}: the model dtype must be bf16, f16 or f32, got {}", arch,
                               dtypeName(dtype)));
  return Status::ok();
}

StatusOr<DType> llamaDType(const ModelConfig &config, const ForwardOptions &options) {
  if (options.dtype)
    return *options.dtype;
  if (config.torchDtype.empty() || config.torchDtype == "auto")
    return DType::bf16;
  for (auto [name, dtype] : kTorchDtypes)
    if (name == config.torchDtype)
      return dtype;
  return invalid(fmt::format("{}: unsupported torch_dtype '{}' (supported: float32, float16, "
                             "bfloat16)",
                             config.architecture, config.torchDtype));
}

} // namespace loom::models

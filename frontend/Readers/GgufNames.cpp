// The llama.cpp → Hugging Face tensor name table and the Q/K un-permutation.
#include "frontend/Readers/GgufNames.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <utility>
#include <vector>

namespace loom::frontend {
namespace {

using NamePair = std::pair<std::string_view, std::string_view>;

/// Tensors outside the layers, by full name.
constexpr std::array<NamePair, 3> kModelTensors = {{
    {"token_embd.weight", "model.embed_tokens.weight"},
    {"output_norm.weight", "model.norm.weight"},
    {"output.weight", "lm_head.weight"},
}};

/// Tensors of layer N: "blk.N.<gguf>.<weight|bias>" → "model.layers.N.<hf>.<weight|bias>".
constexpr std::array<NamePair, 9> kLayerTensors = {{
    {"attn_q", "self_attn.q_proj"},
    {"attn_k", "self_attn.k_proj"},
    {"attn_v", "self_attn.v_proj"},
    {"attn_output", "self_attn.o_proj"},
    {"attn_norm", "input_layernorm"},
    {"ffn_gate", "mlp.gate_proj"},
    {"ffn_up", "mlp.up_proj"},
    {"ffn_down", "mlp.down_proj"},
    {"ffn_norm", "post_attention_layernorm"},
}};

bool consumePrefix(std::string_view &text, std::string_view prefix) {
  if (text.substr(0, prefix.size()) != prefix)
    return false;
  text.remove_prefix(prefix.size());
  return true;
}

} // namespace

std::optional<std::string> ggufToHfTensorName(std::string_view ggufName) {
  for (auto [gguf, hf] : kModelTensors)
    if (ggufName == gguf)
      return std::string(hf);
  std::string_view rest = ggufName;
  if (!consumePrefix(rest, "blk."))
    return std::nullopt;
  size_t layer = 0;
  auto [end, error] = std::from_chars(rest.data(), rest.data() + rest.size(), layer);
  size_t digits = static_cast<size_t>(end - rest.data());
  if (error != std::errc() || digits == 0 || (digits > 1 && rest[0] == '0'))
    return std::nullopt;
  rest.remove_prefix(digits);
  if (!consumePrefix(rest, "."))
    return std::nullopt;
  for (auto [gguf, hf] : kLayerTensors) {
    std::string_view suffix = rest;
    if (!consumePrefix(suffix, gguf))
      continue;
    if (suffix == ".weight" || suffix == ".bias")
      return fmt::format("model.layers.{}.{}{}", layer, hf, suffix);
  }
  return std::nullopt;
}

RopeProjection ropeProjectionOf(std::string_view hfName) {
  for (auto [suffix, projection] :
       {std::pair{std::string_view("self_attn.q_proj."), RopeProjection::kQuery},
        std::pair{std::string_view("self_attn.k_proj."), RopeProjection::kKey}}) {
    size_t at = hfName.find(suffix);
    if (at == std::string_view::npos)
      continue;
    std::string_view kind = hfName.substr(at + suffix.size());
    if (kind == "weight" || kind == "bias")
      return projection;
  }
  return RopeProjection::kNone;
}

Status unpermuteRopeRows(std::span<float> values, int64_t rows, int64_t cols, int64_t heads) {
  int64_t count = 0;
  if (rows <= 0 || cols <= 0 || heads <= 0 || rows % heads != 0 || (rows / heads) % 2 != 0 ||
      __builtin_mul_overflow(rows, cols, &count) || static_cast<uint64_t>(count) != values.size())
    return LOOM_ERROR(StatusCode::kInvalidArgument,
                      fmt::format("cannot un-permute RoPE rows: {} rows x {} columns ({} "
                                  "values) do not split into {} heads of an even size",
                                  rows, cols, values.size(), heads));
  int64_t headDim = rows / heads, half = headDim / 2;
  std::vector<float> head(static_cast<size_t>(headDim * cols));
  for (int64_t h = 0; h < heads; ++h) {
    float *base = values.data() + h * headDim * cols;
    std::copy(base, base + headDim * cols, head.begin());
    for (int64_t i = 0; i < 2; ++i)
      for (int64_t j = 0; j < half; ++j)
        std::copy_n(head.begin() + (2 * j + i) * cols, cols, base + (i * half + j) * cols);
  }
  return Status::ok();
}

} // namespace loom::frontend

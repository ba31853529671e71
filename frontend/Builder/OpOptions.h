// Attribute bundles of the DSL's RoPE and attention ops.
#pragma once

#include <cstdint>
#include <optional>

namespace loom {

/// Which features of a head RoPE rotates together.
enum class RopeStyle {
  rotateHalf,  ///< pairs (i, i + D/2), as Hugging Face Llama
  interleaved, ///< pairs (2i, 2i + 1), as GPT-J / llama.cpp
};

/// Llama-3 frequency scaling (transformers' `_compute_llama3_parameters`).
struct Llama3RopeScaling {
  float factor = 8.0f;
  float lowFreqFactor = 1.0f;
  float highFreqFactor = 4.0f;
  int64_t originalMaxPosition = 8192;
};

/// Attributes of `graph.rope`.
struct RopeOptions {
  int64_t headDim = 0;
  float theta = 10000.0f;
  RopeStyle style = RopeStyle::rotateHalf;
  std::optional<Llama3RopeScaling> llama3;
};

/// Attributes of `graph.attention` and `graph.paged_attention`.
struct AttentionOptions {
  int64_t numHeads = 0;
  int64_t numKvHeads = 0;
  int64_t headDim = 0;
  std::optional<float> scale; ///< defaults to 1 / sqrt(headDim)
  bool causal = true;
};

/// How `graph.gelu` is evaluated.
enum class GeluApproximation { none, tanh };

} // namespace loom

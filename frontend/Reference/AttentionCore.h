// One query head attending over a list of key/value rows: the math both attention ops share.
#pragma once

#include "frontend/Reference/HostTensor.h"

#include <span>
#include <vector>

namespace loom::ref {

/// The attributes graph.attention and graph.paged_attention share.
struct AttentionParams {
  int64_t numHeads = 0;
  int64_t numKvHeads = 0;
  int64_t headDim = 0;
  float scale = 1.0f;
  bool causal = true;

  /// Query head h reads KV head h / (numHeads / numKvHeads).
  int64_t kvHeadOf(int64_t head) const { return head / (numHeads / numKvHeads); }
};

/// Ok, or invalid-argument when the head counts do not divide or scale is not positive.
Status checkAttentionParams(const AttentionParams &params);

/// out = Σ_p softmax_p(scale · query·keys[p]) · values[p]; every row has query.size() values.
/// Scores, softmax and the weighted sum are in double; `out` gets f32 (not yet rounded).
/// No keys gives zeros.
void attendOneQuery(std::span<const float> query, std::span<const float *const> keys,
                    std::span<const float *const> values, double scale, std::span<float> out);

} // namespace loom::ref

// Softmax attention of one query over explicit key/value rows.
#include "frontend/Reference/AttentionCore.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace loom::ref {

Status checkAttentionParams(const AttentionParams &params) {
  if (params.numHeads <= 0 || params.numKvHeads <= 0 || params.headDim <= 0 ||
      params.numHeads % params.numKvHeads != 0)
    return LOOM_ERROR(StatusCode::kInvalidArgument,
                      fmt::format("attention needs num_heads ({}) a positive multiple of "
                                  "num_kv_heads ({}) and a positive head_dim ({})",
                                  params.numHeads, params.numKvHeads, params.headDim));
  if (!(params.scale > 0.0f))
    return LOOM_ERROR(StatusCode::kInvalidArgument, "attention scale must be positive");
  return Status::ok();
}

void attendOneQuery(std::span<const float> query, std::span<const float *const> keys,
                    std::span<const float *const> values, double scale, std::span<float> out) {
  std::ranges::fill(out, 0.0f);
  if (keys.empty())
    return;
  std::vector<double> scores(keys.size());
  for (size_t p = 0; p < keys.size(); ++p) {
    double dot = 0.0;
    for (size_t d = 0; d < query.size(); ++d)
      dot += static_cast<double>(query[d]) * keys[p][d];
    scores[p] = dot * scale;
  }
  double maxScore = *std::ranges::max_element(scores);
  double total = 0.0;
  for (double &score : scores) {
    score = std::exp(score - maxScore);
    total += score;
  }
  for (size_t d = 0; d < out.size(); ++d) {
    double sum = 0.0;
    for (size_t p = 0; p < values.size(); ++p)
      sum += scores[p] * values[p][d];
    out[d] = static_cast<float>(sum / total);
  }
}

} // namespace loom::ref

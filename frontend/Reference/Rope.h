// Reference rotary position embedding (rotate-half and interleaved, optional Llama-3 scaling).
#pragma once

#include "frontend/Reference/HostTensor.h"

#include <optional>
#include <vector>

namespace loom::ref {

/// Which features of a head rotate together: (i, i + D/2) or (2i, 2i + 1).
enum class RopeStyle { kRotateHalf, kInterleaved };

/// Llama-3 frequency scaling (config.json `rope_scaling` with rope_type "llama3").
struct Llama3RopeScaling {
  float factor = 8.0f;
  float lowFreqFactor = 1.0f;
  float highFreqFactor = 4.0f;
  int64_t originalMaxPosition = 8192;
};

/// The attributes of graph.rope.
struct RopeParams {
  float theta = 10000.0f;
  int64_t headDim = 0;
  RopeStyle style = RopeStyle::kRotateHalf;
  std::optional<Llama3RopeScaling> llama3;
};

/// inv_freq[i] = theta^(-2i/D) for i < D/2, in double, then Llama-3 scaling exactly as
/// transformers' _compute_llama3_parameters: wavelength 2π/inv_freq above
/// original/low_freq_factor divides by factor, below original/high_freq_factor keeps it, and in
/// between blends (1 - s)·inv/factor + s·inv with s = (original/wavelength - low) / (high - low).
std::vector<double> ropeInverseFrequencies(const RopeParams &params);

/// Rotates every head of every row t of input [T, heads·D] by positions[t]·inv_freq[i]
/// (cos/sin in double), pairs chosen by style; result rounded to input's type.
StatusOr<HostTensor> rope(const HostTensor &input, const HostTensor &positions,
                          const RopeParams &params);

} // namespace loom::ref

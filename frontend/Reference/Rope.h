// Reference rotary position embedding (rotate-half and interleaved, optional Llama-3 scaling).
#pragma once

#include "frontend/Builder/OpOptions.h"
#include "frontend/Reference/HostTensor.h"

#include <optional>
#include <vector>

namespace loom::ref {

/// The RoPE attributes are the DSL's (frontend/Builder/OpOptions.h, MLIR-free): one definition.
using loom::Llama3RopeScaling;
using loom::RopeStyle;
using RopeParams = loom::RopeOptions;

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

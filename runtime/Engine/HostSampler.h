// The CPU reference sampler: the exact math the GPU sampler is checked against.
#pragma once

#include "runtime/Engine/SamplingParams.h"
#include "runtime/Engine/Types.h"

#include <cstdint>
#include <span>
#include <vector>

namespace loom::rt {

/// Counter-based random numbers (SplitMix64): a seed gives the same stream on
/// any machine, so a GPU kernel can reproduce it from (seed, draw index).
class SamplerRng {
public:
  explicit SamplerRng(uint64_t seed) : state_(seed) {}
  /// The generator for a request's `tokenIndex`-th generated token, independent
  /// of batching and of how many draws earlier tokens used.
  static SamplerRng forToken(uint64_t seed, uint64_t tokenIndex);
  uint64_t nextU64();
  /// Uniform in [0, 1) with 53 random bits.
  double nextUniform();

private:
  uint64_t state_;
};

/// Repetition penalty (CTRL / HF semantics): every distinct token of
/// `history` has its logit divided by `penalty` if positive, else multiplied.
void applyRepetitionPenalty(std::span<float> logits,
                            std::span<const TokenId> history, float penalty);

/// The distribution sampling draws from, in this order: repetition penalty,
/// temperature, top-k (ties with the k-th logit are kept), top-p (the smallest
/// most-likely set with mass >= top_p; ties with its last token are kept),
/// min-p (prob >= min_p * max prob), renormalized. Masked tokens get 0.
/// Requires temperature > 0 and valid parameters.
std::vector<double> samplingProbabilities(std::span<const float> logits,
                                          const SamplingParams &params,
                                          std::span<const TokenId> history);

/// Samples one token: greedy argmax (lowest index on ties) when temperature is
/// 0, otherwise inverse-CDF over `samplingProbabilities` in token order with
/// one uniform draw from `rng`. `history` is prompt + generated tokens.
TokenId sampleOnHost(std::span<const float> logits, const SamplingParams &params,
                     std::span<const TokenId> history, SamplerRng &rng);

} // namespace loom::rt

// CPU reference sampler: penalty, temperature, top-k, top-p, min-p, seeded draw.
#include "runtime/Engine/HostSampler.h"
#include "runtime/Support/Hash.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <numeric>

namespace loom::rt {

SamplerRng SamplerRng::forToken(uint64_t seed, uint64_t tokenIndex) {
  SamplerRng mixer(seed ^ (tokenIndex * 0xd1b54a32d192ed03ull));
  return SamplerRng(mixer.nextU64());
}

uint64_t SamplerRng::nextU64() {
  return splitMix64Mix(state_ += 0x9e3779b97f4a7c15ull);
}

double SamplerRng::nextUniform() {
  return static_cast<double>(nextU64() >> 11) * 0x1.0p-53;
}

void applyRepetitionPenalty(std::span<float> logits,
                            std::span<const TokenId> history, float penalty) {
  if (penalty == 1.0f)
    return;
  std::vector<bool> seen(logits.size(), false);
  for (TokenId token : history) {
    if (token < 0 || static_cast<size_t>(token) >= logits.size() || seen[token])
      continue;
    seen[token] = true;
    float &logit = logits[token];
    logit = logit > 0.0f ? logit / penalty : logit * penalty;
  }
}

namespace {

/// Zeroes every probability below `threshold`.
void maskBelow(std::vector<double> &probs, double threshold) {
  for (double &p : probs)
    if (p < threshold)
      p = 0.0;
}

void normalize(std::vector<double> &probs) {
  double total = std::accumulate(probs.begin(), probs.end(), 0.0);
  for (double &p : probs)
    p /= total;
}

void applyTopK(std::vector<double> &scaled, int topK) {
  if (topK <= 0 || static_cast<size_t>(topK) >= scaled.size())
    return;
  std::vector<double> sorted = scaled;
  std::nth_element(sorted.begin(), sorted.begin() + (topK - 1), sorted.end(),
                   std::greater<>());
  double kth = sorted[topK - 1];
  for (double &s : scaled)
    if (s < kth)
      s = -INFINITY;
}

void applyTopP(std::vector<double> &probs, double topP) {
  if (topP >= 1.0)
    return;
  std::vector<size_t> order(probs.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return probs[a] > probs[b]; });
  double mass = 0.0;
  double threshold = probs[order[0]];
  for (size_t index : order) {
    mass += probs[index];
    threshold = probs[index];
    if (mass >= topP)
      break;
  }
  maskBelow(probs, threshold);
}

} // namespace

std::vector<double> samplingProbabilities(std::span<const float> logits,
                                          const SamplingParams &params,
                                          std::span<const TokenId> history) {
  assert(params.temperature > 0.0f && !logits.empty());
  std::vector<float> penalized(logits.begin(), logits.end());
  applyRepetitionPenalty(penalized, history, params.repetitionPenalty);

  std::vector<double> scaled(penalized.size());
  for (size_t i = 0; i < scaled.size(); ++i)
    scaled[i] = static_cast<double>(penalized[i]) / params.temperature;
  applyTopK(scaled, params.topK);

  double maxScaled = *std::max_element(scaled.begin(), scaled.end());
  std::vector<double> probs(scaled.size());
  for (size_t i = 0; i < probs.size(); ++i)
    probs[i] = std::exp(scaled[i] - maxScaled); // exp(-inf) = 0 for masked
  normalize(probs);

  applyTopP(probs, params.topP);
  normalize(probs);
  if (params.minP > 0.0f) {
    double maxProb = *std::max_element(probs.begin(), probs.end());
    maskBelow(probs, params.minP * maxProb);
    normalize(probs);
  }
  return probs;
}

TokenId sampleOnHost(std::span<const float> logits, const SamplingParams &params,
                     std::span<const TokenId> history, SamplerRng &rng) {
  if (params.temperature == 0.0f) {
    std::vector<float> penalized(logits.begin(), logits.end());
    applyRepetitionPenalty(penalized, history, params.repetitionPenalty);
    auto best = std::max_element(penalized.begin(), penalized.end());
    return static_cast<TokenId>(best - penalized.begin());
  }
  std::vector<double> probs = samplingProbabilities(logits, params, history);
  double target = rng.nextUniform();
  double mass = 0.0;
  TokenId lastKept = 0;
  for (size_t i = 0; i < probs.size(); ++i) {
    if (probs[i] == 0.0)
      continue;
    lastKept = static_cast<TokenId>(i);
    mass += probs[i];
    if (target < mass)
      return lastKept;
  }
  return lastKept; // rounding left `target` just above the total mass
}

} // namespace loom::rt

// Test helper: sampling parameters of a greedy request.
#pragma once

#include "runtime/Engine/SamplingParams.h"

namespace loom::ref::testing {

/// Greedy (temperature 0) generation of at most `maxTokens` tokens.
inline rt::SamplingParams greedy(int maxTokens) {
  rt::SamplingParams params;
  params.temperature = 0.0f;
  params.maxTokens = maxTokens;
  return params;
}

} // namespace loom::ref::testing

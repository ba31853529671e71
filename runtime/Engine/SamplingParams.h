// Per-request sampling parameters and their validation.
#pragma once

#include "runtime/Engine/Types.h"
#include "runtime/Support/Status.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace loom::rt {

/// How one request turns logits into tokens and when it stops (vLLM's meaning
/// for every field).
struct SamplingParams {
  float temperature = 1.0f;       ///< 0 = greedy (argmax)
  int topK = 0;                   ///< keep the k most likely tokens; 0 = off
  float topP = 1.0f;              ///< nucleus mass in (0, 1]; 1 = off
  float minP = 0.0f;              ///< drop tokens below minP * max prob; 0 = off
  float repetitionPenalty = 1.0f; ///< > 1 discourages tokens already seen
  int maxTokens = 16;             ///< most generated tokens
  std::optional<uint64_t> seed;   ///< per-request seed; reproducible sampling
  std::vector<TokenId> stopTokenIds;
  std::vector<std::string> stopStrings; ///< matched on detokenized output
  bool ignoreEos = false;

  /// Ok, or an invalid-argument Status whose message names the bad parameter.
  Status validate() const;
};

} // namespace loom::rt

// Engine limits and the validation of a request against them.
#pragma once

#include "runtime/Engine/SamplingParams.h"
#include "runtime/Engine/Types.h"
#include "runtime/Support/Status.h"

#include <optional>
#include <span>

namespace loom::rt {

/// Sizes of the KV pool and of one scheduling step.
struct EngineConfig {
  int blockSize = 16;          ///< tokens per KV block
  int numBlocks = 1024;        ///< blocks in the KV pool
  int maxBatchedTokens = 2048; ///< token budget of one step
  int maxSequences = 256;      ///< most running sequences
  int maxModelLen = 4096;      ///< context length (prompt + generated)
  std::optional<int> vocabSize;       ///< when set, prompt ids are checked
  std::optional<TokenId> eosTokenId;  ///< when set, EOS stops a sequence
  /// Serve batch-invariantly: a request's output must not depend on the other requests of its
  /// steps. Needs a package compiled with CompileOptions::batchInvariant (checkBatchInvariance).
  bool batchInvariant = false;

  /// Ok, or invalid-argument naming the bad field. A sequence of maxModelLen
  /// tokens must fit in the pool, so one sequence alone always progresses.
  Status validate() const;
};

/// Ok, or invalid-argument when `config` asks for batch invariance and the model's package
/// (`packageIsBatchInvariant`: its manifest's "batch_invariant") was compiled without it.
Status checkBatchInvariance(const EngineConfig &config, bool packageIsBatchInvariant);

/// Ok, or invalid-argument saying why this request cannot be served: an empty
/// prompt, a prompt longer than the context, a token id outside the
/// vocabulary, invalid sampling parameters, or stop strings without a
/// detokenizer.
Status validateRequest(std::span<const TokenId> prompt,
                       const SamplingParams &params, const EngineConfig &config,
                       bool canDetokenize);

} // namespace loom::rt

// The interface between the CPU engine and whatever computes a step (GPU or fake).
#pragma once

#include "runtime/Engine/Scheduler.h"
#include "runtime/Engine/Types.h"
#include "runtime/Support/Status.h"

#include <vector>

namespace loom::rt {

/// Computes one scheduled step and samples.
///
/// For every entry of the batch, in order: write the KV of tokens
/// `[startPosition, startPosition + numTokens)` of `entry.sequence->tokens()`
/// to the slots `blockTable[p / blockSize] * blockSize + p % blockSize`, attend
/// over positions `[0, startPosition + numTokens)` through the block table, and
/// when `producesToken` sample the next token from the logits of the last
/// position with the sequence's SamplingParams (seeded: `SamplerRng::forToken(
/// seed, numOutputTokens())`). Return the sampled tokens, one per entry with
/// producesToken, in batch order.
class ModelRunner {
public:
  virtual ~ModelRunner() = default;
  virtual StatusOr<std::vector<TokenId>> run(const ScheduledBatch &batch) = 0;
};

} // namespace loom::rt

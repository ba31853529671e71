// BatchSampler: one token per sampling entry of a batch, from the step's logits rows.
#pragma once

#include "runtime/Engine/Scheduler.h"

#include <span>
#include <vector>

namespace loom::rt {

/// `logits` holds one row of `vocabSize` per batch entry (docs/graph-ops.md logit_rows order).
/// Samples, in batch order, a token for each entry with producesToken, with the sequence's
/// parameters and its seeded per-token RNG — the ModelRunner contract.
StatusOr<std::vector<TokenId>> sampleBatch(const ScheduledBatch &batch, std::span<const float> logits,
                                           int vocabSize);

} // namespace loom::rt

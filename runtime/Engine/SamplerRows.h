// SamplerRows: the GPU sampler's per-row parameters for one batch, in loom/sampler.cuh's layout.
#pragma once

#include "runtime/Engine/Scheduler.h"

#include <cstdint>
#include <vector>

namespace loom::rt {

/// Host mirror of loom::SamplerRow (runtime/DeviceLib/loom/sampler.cuh); keep them identical.
struct SamplerRow {
  float temperature = 0;
  float topP = 1;
  float minP = 0;
  float repetitionPenalty = 1;
  int32_t topK = 0;
  int32_t historyBegin = 0, historyEnd = 0; ///< into SamplerRows::history
  int32_t logitsRow = 0;                    ///< the row of the step's logits to sample
  uint64_t seed = 0;
  uint64_t tokenIndex = 0;
};
static_assert(sizeof(SamplerRow) == 48 && alignof(SamplerRow) == 8,
              "SamplerRow must match loom::SamplerRow");

/// One row per batch entry with producesToken, in batch order, sampling logits row `b` for entry
/// `b` (docs/graph-ops.md logit_rows) with the sequence's parameters and the seeded draw
/// SamplerRng::forToken(seed or 0, numOutputTokens()), as the ModelRunner contract says. History
/// (prompt + generated tokens) is gathered only for rows with a repetition penalty.
struct SamplerRows {
  std::vector<SamplerRow> rows;
  std::vector<int32_t> history;
};

SamplerRows buildSamplerRows(const ScheduledBatch &batch);
/// The same into `out`, reusing its memory.
void buildSamplerRows(const ScheduledBatch &batch, SamplerRows &out);

} // namespace loom::rt

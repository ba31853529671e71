// Building the GPU sampler's rows from a scheduled batch.
#include "runtime/Engine/SamplerRows.h"

namespace loom::rt {

SamplerRows buildSamplerRows(const ScheduledBatch &batch) {
  SamplerRows out;
  buildSamplerRows(batch, out);
  return out;
}

void buildSamplerRows(const ScheduledBatch &batch, SamplerRows &out) {
  out.rows.clear();
  out.history.clear();
  for (size_t b = 0; b < batch.entries.size(); ++b) {
    const ScheduledSequence &entry = batch.entries[b];
    if (!entry.producesToken)
      continue;
    const Sequence &seq = *entry.sequence;
    const SamplingParams &params = seq.params();
    SamplerRow row;
    row.temperature = params.temperature;
    row.topP = params.topP;
    row.minP = params.minP;
    row.repetitionPenalty = params.repetitionPenalty;
    row.topK = params.topK;
    row.logitsRow = static_cast<int32_t>(b);
    row.seed = params.seed.value_or(0);
    row.tokenIndex = static_cast<uint64_t>(seq.numOutputTokens());
    row.historyBegin = row.historyEnd = static_cast<int32_t>(out.history.size());
    if (params.repetitionPenalty != 1.0f) {
      out.history.insert(out.history.end(), seq.tokens().begin(), seq.tokens().end());
      row.historyEnd = static_cast<int32_t>(out.history.size());
    }
    out.rows.push_back(row);
  }
}

} // namespace loom::rt

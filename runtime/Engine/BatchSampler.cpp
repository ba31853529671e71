// Host sampling of a whole batch's logits rows.
#include "runtime/Engine/BatchSampler.h"

#include "runtime/Engine/HostSampler.h"

#include <fmt/format.h>

namespace loom::rt {

StatusOr<std::vector<TokenId>> sampleBatch(const ScheduledBatch &batch, std::span<const float> logits,
                                           int vocabSize) {
  if (vocabSize <= 0 || logits.size() != batch.entries.size() * static_cast<size_t>(vocabSize))
    return LOOM_ERROR(StatusCode::kInvalidArgument,
                      fmt::format("{} logits for {} entries of vocabulary {}", logits.size(),
                                  batch.entries.size(), vocabSize));
  std::vector<TokenId> sampled;
  for (size_t b = 0; b < batch.entries.size(); ++b) {
    const ScheduledSequence &entry = batch.entries[b];
    if (!entry.producesToken)
      continue;
    const Sequence &seq = *entry.sequence;
    SamplerRng rng = SamplerRng::forToken(seq.params().seed.value_or(0), seq.numOutputTokens());
    sampled.push_back(sampleOnHost(logits.subspan(b * vocabSize, vocabSize), seq.params(),
                                   seq.tokens(), rng));
  }
  return sampled;
}

} // namespace loom::rt

// A deterministic fake model for engine tests: a KV cache simulated slot by
// slot, so a wrong block table, a wrongly shared or overwritten block, or a
// read of uncomputed KV changes the output or fails the step.
#pragma once

#include "runtime/Engine/EngineConfig.h"
#include "runtime/Engine/HostSampler.h"
#include "runtime/Engine/ModelRunner.h"
#include "runtime/Engine/Sequence.h"

#include <fmt/format.h>

#include <optional>
#include <span>
#include <string>
#include <vector>

namespace loom::rt::testing {

inline uint64_t mix64(uint64_t z) {
  z += 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

/// The "KV" of position p: a function of the KV of p-1 and token p, so it
/// depends on the whole prefix, like attention.
inline uint64_t fakeKv(std::optional<uint64_t> previous, TokenId token) {
  return mix64(previous.value_or(0x5eed) ^ (static_cast<uint64_t>(token) << 17));
}

/// Logits derived from the last position's KV; sampled with the host sampler.
inline TokenId fakeNextToken(uint64_t kv, int vocabSize, const SamplingParams &params,
                             std::span<const TokenId> history, int outputIndex) {
  std::vector<float> logits(vocabSize);
  for (int v = 0; v < vocabSize; ++v)
    logits[v] = static_cast<float>(mix64(kv ^ (uint64_t(v) << 32)) >> 40) / (1 << 20);
  SamplerRng rng = SamplerRng::forToken(params.seed.value_or(0), outputIndex);
  return sampleOnHost(logits, params, history, rng);
}

/// Runs the fake model through the engine's block tables.
class FakeModelRunner : public ModelRunner {
public:
  FakeModelRunner(int numBlocks, int blockSize, int vocabSize)
      : kv_(static_cast<size_t>(numBlocks) * blockSize), vocabSize_(vocabSize) {}

  StatusOr<std::vector<TokenId>> run(const ScheduledBatch &batch) override {
    batches.push_back(batch);
    std::vector<TokenId> sampled;
    for (const ScheduledSequence &entry : batch.entries) {
      const Sequence &seq = *entry.sequence;
      if (entry.numTokens < 1 || entry.startPosition + entry.numTokens > seq.size())
        return Status(StatusCode::kInternal,
                      fmt::format("request {} scheduled an empty or out-of-range chunk",
                                  seq.id()));
      std::optional<uint64_t> previous;
      if (entry.startPosition > 0) {
        LOOM_ASSIGN_OR_RETURN(size_t slot, slotOf(seq, entry.startPosition - 1, batch.blockSize));
        if (!kv_[slot])
          return Status(StatusCode::kInternal,
                        fmt::format("request {} reads unwritten KV at position {}",
                                    seq.id(), entry.startPosition - 1));
        previous = kv_[slot];
      }
      for (int p = entry.startPosition; p < entry.startPosition + entry.numTokens; ++p) {
        LOOM_ASSIGN_OR_RETURN(size_t slot, slotOf(seq, p, batch.blockSize));
        previous = fakeKv(previous, seq.tokens()[p]);
        kv_[slot] = previous;
      }
      if (entry.producesToken)
        sampled.push_back(fakeNextToken(*previous, vocabSize_, seq.params(),
                                        seq.tokens(), seq.numOutputTokens()));
    }
    return sampled;
  }

  std::vector<ScheduledBatch> batches; ///< every batch run, in order

private:
  StatusOr<size_t> slotOf(const Sequence &seq, int position, int blockSize) const {
    size_t index = static_cast<size_t>(position / blockSize);
    if (index >= seq.blockTable().size())
      return Status(StatusCode::kInternal,
                    fmt::format("request {} has no block for position {}", seq.id(), position));
    size_t slot = static_cast<size_t>(seq.blockTable()[index]) * blockSize + position % blockSize;
    if (slot >= kv_.size())
      return Status(StatusCode::kInternal, "slot outside the pool");
    return slot;
  }

  std::vector<std::optional<uint64_t>> kv_;
  int vocabSize_;
};

/// What the fake model generates for one request run alone, computed directly
/// from the tokens without any cache: the oracle for every engine test.
inline std::vector<TokenId> referenceOutput(std::vector<TokenId> tokens,
                                            const SamplingParams &params, int vocabSize,
                                            std::optional<TokenId> eos, int maxModelLen) {
  std::vector<TokenId> output;
  std::optional<uint64_t> kv;
  size_t computed = 0;
  while (true) {
    for (; computed < tokens.size(); ++computed)
      kv = fakeKv(kv, tokens[computed]);
    TokenId next = fakeNextToken(*kv, vocabSize, params, tokens,
                                 static_cast<int>(output.size()));
    tokens.push_back(next);
    output.push_back(next);
    bool stopToken = std::find(params.stopTokenIds.begin(), params.stopTokenIds.end(),
                               next) != params.stopTokenIds.end();
    if ((!params.ignoreEos && eos == next) || stopToken ||
        static_cast<int>(output.size()) >= params.maxTokens ||
        static_cast<int>(tokens.size()) >= maxModelLen)
      break;
  }
  return output;
}

/// The vocabulary of the engine tests' fake model.
constexpr int kFakeVocab = 97;

/// A small engine: blocks of 4 tokens, 16-token steps, 4 sequences, EOS 0.
inline EngineConfig tinyEngineConfig(int numBlocks, int maxModelLen) {
  EngineConfig config;
  config.blockSize = 4;
  config.numBlocks = numBlocks;
  config.maxBatchedTokens = 16;
  config.maxSequences = 4;
  config.maxModelLen = maxModelLen;
  config.vocabSize = kFakeVocab;
  config.eosTokenId = 0;
  return config;
}

/// A detokenizer in which token t reads as two letters, so text and stop strings span tokens.
inline std::string twoLetterText(std::span<const TokenId> tokens) {
  std::string text;
  for (TokenId t : tokens)
    text += std::string{char('a' + t % 26), char('a' + t / 26 % 26)};
  return text;
}

/// A sequence of `tokens` (all prompt) holding `blocks`, with `params`.
inline std::shared_ptr<Sequence> sequenceWithBlocks(RequestId id, std::vector<TokenId> tokens,
                                                    std::vector<BlockId> blocks,
                                                    SamplingParams params = {}) {
  auto seq = std::make_shared<Sequence>(id, std::move(tokens),
                                        std::make_shared<SamplingParams>(std::move(params)), id);
  seq->blockTable() = std::move(blocks);
  return seq;
}

inline std::vector<TokenId> outputOf(const Sequence &seq) {
  auto out = seq.outputTokens();
  return {out.begin(), out.end()};
}

} // namespace loom::rt::testing

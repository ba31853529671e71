// EngineConfig and request validation.
#include "runtime/Engine/EngineConfig.h"

#include <fmt/format.h>

namespace loom::rt {

namespace {
Status invalid(const std::string &message) {
  return Status(StatusCode::kInvalidArgument, message);
}
} // namespace

Status EngineConfig::validate() const {
  if (blockSize < 1)
    return invalid(fmt::format("block size must be >= 1, got {}", blockSize));
  if (numBlocks < 1)
    return invalid(fmt::format("number of KV blocks must be >= 1, got {}", numBlocks));
  if (maxBatchedTokens < 1)
    return invalid(fmt::format("max batched tokens must be >= 1, got {}", maxBatchedTokens));
  if (maxSequences < 1)
    return invalid(fmt::format("max sequences must be >= 1, got {}", maxSequences));
  if (maxModelLen < 1)
    return invalid(fmt::format("max model length must be >= 1, got {}", maxModelLen));
  int blocksPerSequence = (maxModelLen + blockSize - 1) / blockSize;
  if (blocksPerSequence > numBlocks)
    return invalid(fmt::format(
        "a sequence of max model length {} needs {} KV blocks of {} tokens but "
        "the pool has {}",
        maxModelLen, blocksPerSequence, blockSize, numBlocks));
  if (vocabSize && *vocabSize < 1)
    return invalid(fmt::format("vocab size must be >= 1, got {}", *vocabSize));
  return Status::ok();
}

Status checkBatchInvariance(const EngineConfig &config, bool packageIsBatchInvariant) {
  if (config.batchInvariant && !packageIsBatchInvariant)
    return invalid(
      "batch-invariant serving needs a package compiled batch-invariant (its manifest "
      "lacks \"batch_invariant\": true); compile with CompileOptions::batchInvariant");
  return Status::ok();
}

Status validateRequest(std::span<const TokenId> prompt,
                       const SamplingParams &params, const EngineConfig &config,
                       bool canDetokenize) {
  if (prompt.empty())
    return invalid("prompt is empty");
  if (static_cast<int>(prompt.size()) > config.maxModelLen)
    return invalid(fmt::format("prompt has {} tokens, more than the context length {}",
                               prompt.size(), config.maxModelLen));
  for (size_t i = 0; i < prompt.size(); ++i) {
    TokenId token = prompt[i];
    if (token < 0 || (config.vocabSize && token >= *config.vocabSize))
      return invalid(fmt::format("prompt token {} at position {} is outside the "
                                 "vocabulary",
                                 token, i));
  }
  if (Status status = params.validate(); !status)
    return status.withContext("invalid sampling parameters");
  if (!params.stopStrings.empty() && !canDetokenize)
    return invalid("stop strings need a detokenizer, and this engine has none");
  return Status::ok();
}

} // namespace loom::rt

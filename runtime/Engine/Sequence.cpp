// Sequence bookkeeping.
#include "runtime/Engine/Sequence.h"

#include <cassert>

namespace loom::rt {

const char *finishReasonName(FinishReason reason) {
  switch (reason) {
  case FinishReason::kEos:
    return "eos";
  case FinishReason::kStopToken:
    return "stop token";
  case FinishReason::kStopString:
    return "stop string";
  case FinishReason::kMaxTokens:
    return "max tokens";
  case FinishReason::kContextLimit:
    return "context limit";
  case FinishReason::kCancelled:
    return "cancelled";
  case FinishReason::kError:
    return "error";
  }
  return "unknown";
}

Sequence::Sequence(RequestId id, std::vector<TokenId> prompt,
                   std::shared_ptr<const SamplingParams> params,
                   uint64_t arrivalOrder)
    : id_(id), arrivalOrder_(arrivalOrder), params_(std::move(params)),
      tokens_(std::move(prompt)),
      numPromptTokens_(static_cast<int>(tokens_.size())) {
  assert(params_ && "a sequence needs sampling parameters");
}

std::span<const TokenId> Sequence::promptTokens() const {
  return tokens().first(numPromptTokens_);
}

std::span<const TokenId> Sequence::outputTokens() const {
  return tokens().subspan(numPromptTokens_);
}

void Sequence::setNumComputedTokens(int count) {
  assert(count >= 0 && count <= size());
  numComputedTokens_ = count;
}

void Sequence::finish(FinishReason reason, Status error) {
  status_ = SequenceStatus::kFinished;
  finishReason_ = reason;
  error_ = std::move(error);
}

} // namespace loom::rt

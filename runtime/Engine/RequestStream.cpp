// RequestStream: token and text deltas with stop-string hold-back.
#include "runtime/Engine/RequestStream.h"

#include <algorithm>

namespace loom::rt {

namespace {
size_t holdBackBytes(const SamplingParams &params) {
  size_t longest = 0;
  for (const std::string &stop : params.stopStrings)
    longest = std::max(longest, stop.size());
  return longest == 0 ? 0 : longest - 1;
}
} // namespace

void RequestStream::update(const Sequence &seq) {
  StreamEvent event;
  event.id = seq.id();
  event.sequence = &seq;
  std::span<const TokenId> output = seq.outputTokens();
  event.tokens.assign(output.begin() + emittedTokens_, output.end());
  emittedTokens_ = static_cast<int>(output.size());

  const std::string &text = seq.outputText();
  size_t ready = text.size();
  if (!seq.isFinished())
    ready = ready > holdBackBytes(seq.params()) ? ready - holdBackBytes(seq.params()) : 0;
  if (ready > emittedBytes_) {
    event.textDelta = text.substr(emittedBytes_, ready - emittedBytes_);
    emittedBytes_ = ready;
  }
  event.finishReason = seq.finishReason();
  if (event.tokens.empty() && event.textDelta.empty() && !event.finishReason)
    return;
  if (callback_)
    callback_(event);
}

} // namespace loom::rt

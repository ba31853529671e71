// Streaming a request's output: new token ids and detokenized text deltas, then its finish.
#pragma once

#include "runtime/Engine/Sequence.h"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace loom::rt {

/// One streamed update of a request. `sequence` is the request (metrics, error, all tokens).
struct StreamEvent {
  RequestId id = 0;
  std::vector<TokenId> tokens; ///< tokens generated since the last event (none on a bare finish)
  std::string textDelta;       ///< text since the last event; empty without a detokenizer
  std::optional<FinishReason> finishReason; ///< set on the last event of the request
  const Sequence *sequence = nullptr;
};

/// Called on the thread that calls Engine::step / addRequest / cancel. It may add requests
/// and cancel other requests, but not cancel the request it reports.
using StreamCallback = std::function<void(const StreamEvent &)>;

/// Turns a sequence's progress into stream events. While the request runs, the last
/// (longest stop string − 1) bytes of its text are held back, because a stop string
/// completed by a later token cuts the text there; so a delta is never taken back and the
/// concatenated deltas equal the final output text. The finish event flushes the rest.
class RequestStream {
public:
  explicit RequestStream(StreamCallback callback) : callback_(std::move(callback)) {}

  /// Emits what `seq` produced since the last call, and its finish once it has finished.
  /// Emits nothing when there is nothing new.
  void update(const Sequence &seq);

private:
  StreamCallback callback_;
  int emittedTokens_ = 0;
  size_t emittedBytes_ = 0;
};

} // namespace loom::rt

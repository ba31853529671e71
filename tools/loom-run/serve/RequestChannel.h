// RequestChannel: the thread-safe hand-off of one request's streamed output from the engine
// thread to the HTTP handler thread that waits for it.
#pragma once

#include "runtime/Engine/Sequence.h"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <string>

namespace loom::serve {

/// What the engine produced for a request since the last update.
struct RequestUpdate {
  std::string textDelta;
  int newTokens = 0;
  std::optional<rt::FinishReason> finishReason; ///< set on the last update
  Status error;          ///< why a kError finish happened
  int promptTokens = 0;  ///< totals so far
  int outputTokens = 0;
};

/// The engine thread pushes updates; one handler thread pops them. After the finishing
/// update nothing more is accepted.
class RequestChannel {
public:
  void push(RequestUpdate update);
  /// The next update, waiting at most `timeout`; nothing if none came in time.
  std::optional<RequestUpdate> pop(std::chrono::milliseconds timeout);
  /// True once the finishing update was pushed.
  bool finished() const;

private:
  mutable std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<RequestUpdate> updates_;
  bool finished_ = false;
};

} // namespace loom::serve

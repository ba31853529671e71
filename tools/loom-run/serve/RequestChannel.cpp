// RequestChannel: a mutex-guarded queue with a condition variable.
#include "tools/loom-run/serve/RequestChannel.h"

namespace loom::serve {

void RequestChannel::push(RequestUpdate update) {
  {
    std::lock_guard lock(mutex_);
    if (finished_)
      return;
    finished_ = update.finishReason.has_value();
    updates_.push_back(std::move(update));
  }
  ready_.notify_one();
}

std::optional<RequestUpdate> RequestChannel::pop(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  if (!ready_.wait_for(lock, timeout, [&] { return !updates_.empty(); }))
    return std::nullopt;
  RequestUpdate update = std::move(updates_.front());
  updates_.pop_front();
  return update;
}

bool RequestChannel::finished() const {
  std::lock_guard lock(mutex_);
  return finished_;
}

} // namespace loom::serve

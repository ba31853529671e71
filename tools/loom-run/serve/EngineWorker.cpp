// EngineWorker: the engine thread's loop — take the inbox, add and cancel, step, publish.
#include "tools/loom-run/serve/EngineWorker.h"

#include "tools/loom-run/serve/OpenAiResponse.h"

namespace loom::serve {

std::shared_ptr<RequestChannel> EngineWorker::submit(EngineRequest request) {
  auto channel = std::make_shared<RequestChannel>();
  {
    std::lock_guard lock(mutex_);
    if (draining_ || stopping_)
      return nullptr;
    ++inFlight_;
    inbox_.push_back({std::move(request), channel});
  }
  wake_.notify_one();
  return channel;
}

void EngineWorker::cancel(const std::shared_ptr<RequestChannel> &channel) {
  if (channel->finished())
    return;
  {
    std::lock_guard lock(mutex_);
    cancellations_.push_back(channel);
  }
  wake_.notify_one();
}

void EngineWorker::beginDrain() {
  std::lock_guard lock(mutex_);
  draining_ = true;
}

void EngineWorker::requestStop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
}

void EngineWorker::addToEngine(Submission submission) {
  std::shared_ptr<RequestChannel> channel = submission.channel;
  auto onOutput = [this, channel](const rt::StreamEvent &event) {
    RequestUpdate update;
    update.textDelta = event.textDelta;
    update.newTokens = static_cast<int>(event.tokens.size());
    update.finishReason = event.finishReason;
    update.promptTokens = event.sequence->numPromptTokens();
    update.outputTokens = event.sequence->numOutputTokens();
    if (!event.finishReason) {
      channel->push(std::move(update));
      return;
    }
    update.error = event.sequence->error();
    if (failure_) { // failAll's cancel: the request finishes with the step's error
      update.finishReason = rt::FinishReason::kError;
      update.error = *failure_;
    }
    metrics_.recordFinished(event.sequence->metrics(), finishLabel(*update.finishReason));
    finishes_.push_back({channel, std::move(update)});
  };
  auto sequence = engine_.addRequest(std::move(submission.request.prompt),
                                     std::move(submission.request.params), onOutput);
  if (!sequence->isFinished())
    requestIds_.emplace(channel.get(), sequence->id());
}

void EngineWorker::failAll(const Status &error) {
  failure_ = error;
  for (const auto &[channel, id] : requestIds_)
    engine_.cancel(id); // its finish (onOutput) carries failure_, its tokens and its metrics
  failure_.reset();
}

void EngineWorker::run() {
  for (;;) {
    std::vector<Submission> submissions;
    std::vector<std::shared_ptr<RequestChannel>> cancellations;
    bool busy = engine_.hasUnfinished();
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] {
        return busy || stopping_ || !inbox_.empty() || !cancellations_.empty();
      });
      if (stopping_ && !busy && inbox_.empty())
        break;
      submissions.swap(inbox_);
      cancellations.swap(cancellations_);
    }
    for (Submission &submission : submissions)
      addToEngine(std::move(submission));
    for (const auto &channel : cancellations)
      if (auto it = requestIds_.find(channel.get()); it != requestIds_.end())
        engine_.cancel(it->second);
    if (engine_.hasUnfinished()) {
      int64_t stepsBefore = engine_.numSteps();
      if (auto step = step_ ? step_(engine_) : engine_.step(); !step.isOk())
        failAll(step.status().withContext("the engine step failed"));
      else if (engine_.numSteps() == stepsBefore) // as Engine::runUntilDone: never spin
        failAll(LOOM_ERROR(StatusCode::kInternal,
                           "the scheduler scheduled nothing with requests pending"));
    }
    // Stats first: a client that has its finish sees the engine without its request.
    metrics_.setEngineStats(engine_.stats());
    for (auto &[channel, update] : finishes_) {
      requestIds_.erase(channel.get());
      --inFlight_;
      channel->push(std::move(update));
    }
    finishes_.clear();
  }
}

} // namespace loom::serve

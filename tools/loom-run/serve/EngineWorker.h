// EngineWorker: the one thread that owns and steps the engine; HTTP handler threads hand it
// requests and cancellations and read each request's output from its RequestChannel.
#pragma once

#include "runtime/Engine/Engine.h"
#include "tools/loom-run/serve/RequestChannel.h"
#include "tools/loom-run/serve/ServeMetrics.h"

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

namespace loom::serve {

/// How the worker steps the engine: Engine::step by default, a tracing step under --trace.
using EngineStep =
    std::function<StatusOr<std::vector<std::shared_ptr<const rt::Sequence>>>(rt::Engine &)>;

/// A tokenized, validated request for the engine.
struct EngineRequest {
  std::vector<rt::TokenId> prompt;
  rt::SamplingParams params;
};

/// rt::Engine is single-threaded: only the thread in `run` calls it — the thread that loaded
/// the model, since a GPU backend's CUDA context is current on that thread alone. Other threads
/// talk to it through a mutex-guarded inbox; it steps the engine while any request is
/// unfinished and sleeps otherwise. After each step it publishes the engine's stats.
class EngineWorker {
public:
  /// `step` (when set) replaces engine.step(); it runs on the worker thread.
  EngineWorker(rt::Engine &engine, ServeMetrics &metrics, EngineStep step = {})
      : engine_(engine), metrics_(metrics), step_(std::move(step)) {}
  EngineWorker(const EngineWorker &) = delete;
  EngineWorker &operator=(const EngineWorker &) = delete;

  /// Serves requests on the calling thread until `requestStop`, then finishes every request
  /// in flight and returns.
  void run();
  /// Queues `request`; its output arrives on the returned channel. nullptr once draining.
  std::shared_ptr<RequestChannel> submit(EngineRequest request);
  /// Cancels the request of `channel` (its KV blocks are freed); a finished one is left alone.
  void cancel(const std::shared_ptr<RequestChannel> &channel);
  /// From now on submit refuses new requests; those in flight go on.
  void beginDrain();
  bool draining() const { return draining_; }
  /// Requests submitted and not finished yet.
  int inFlight() const { return inFlight_; }
  /// Makes `run` return once the requests in flight have finished.
  void requestStop();

private:
  struct Submission {
    EngineRequest request;
    std::shared_ptr<RequestChannel> channel;
  };
  void addToEngine(Submission submission);
  /// A runner error: every unfinished request finishes with it.
  void failAll(const Status &error);

  rt::Engine &engine_;
  ServeMetrics &metrics_;
  EngineStep step_;

  std::mutex mutex_; ///< guards the inbox and stopping_
  std::condition_variable wake_;
  std::vector<Submission> inbox_;
  std::vector<std::shared_ptr<RequestChannel>> cancellations_;
  bool stopping_ = false;
  std::atomic<bool> draining_ = false;
  std::atomic<int> inFlight_ = 0;

  // Worker thread only.
  std::unordered_map<RequestChannel *, rt::RequestId> requestIds_;
  /// Set while failAll cancels: the error the cancelled requests finish with.
  std::optional<Status> failure_;
  /// Finishes of this iteration, handed over after the stats are published.
  std::vector<std::pair<std::shared_ptr<RequestChannel>, RequestUpdate>> finishes_;
};

} // namespace loom::serve

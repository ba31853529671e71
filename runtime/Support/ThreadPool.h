// ThreadPool: a fixed set of worker threads running queued tasks (parallel NVRTC compiles).
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace loom {

/// Runs submitted tasks on `numThreads` workers; the destructor finishes queued work and joins.
class ThreadPool {
public:
  /// `numThreads == 0` picks std::thread::hardware_concurrency() (at least 1).
  explicit ThreadPool(unsigned numThreads = 0);
  ~ThreadPool();
  ThreadPool(const ThreadPool &) = delete;
  ThreadPool &operator=(const ThreadPool &) = delete;

  unsigned size() const { return static_cast<unsigned>(workers_.size()); }

  /// Queues `task`; the future carries its result.
  template <typename F> auto submit(F task) -> std::future<decltype(task())> {
    using Result = decltype(task());
    auto packaged = std::make_shared<std::packaged_task<Result()>>(std::move(task));
    std::future<Result> future = packaged->get_future();
    enqueue([packaged] { (*packaged)(); });
    return future;
  }

private:
  void enqueue(std::function<void()> job);
  void workerLoop();

  std::vector<std::thread> workers_;
  std::deque<std::function<void()>> queue_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
};

} // namespace loom

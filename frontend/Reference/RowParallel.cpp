// Row ranges run on the workers of a ThreadPool.
#include "frontend/Reference/RowParallel.h"

#include <algorithm>
#include <future>
#include <vector>

namespace loom::ref {

void parallelForRows(ThreadPool *pool, int64_t count,
                     const std::function<void(int64_t begin, int64_t end)> &body) {
  if (count <= 0)
    return;
  int64_t workers = pool ? std::min<int64_t>(pool->size(), count) : 1;
  if (workers <= 1) {
    body(0, count);
    return;
  }
  std::vector<std::future<void>> pending;
  int64_t chunk = (count + workers - 1) / workers;
  for (int64_t begin = 0; begin < count; begin += chunk) {
    int64_t end = std::min(count, begin + chunk);
    pending.push_back(pool->submit([&body, begin, end] { body(begin, end); }));
  }
  for (std::future<void> &done : pending)
    done.get();
}

} // namespace loom::ref

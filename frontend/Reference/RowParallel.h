// Splits a loop over independent rows across the threads of a ThreadPool.
#pragma once

#include "runtime/Support/ThreadPool.h"

#include <cstdint>
#include <functional>

namespace loom::ref {

/// Calls `body(begin, end)` on disjoint ranges covering [0, count): one range per worker of
/// `pool`, run there and waited for; all of [0, count) on this thread when `pool` is null.
void parallelForRows(ThreadPool *pool, int64_t count,
                     const std::function<void(int64_t begin, int64_t end)> &body);

} // namespace loom::ref

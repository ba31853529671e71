// The values the interpreter binds to SSA values: a host tensor, or the one host KV pool.
#pragma once

#include "frontend/Reference/HostKVCache.h"
#include "frontend/Reference/HostTensor.h"

#include <variant>

namespace loom::ref {

/// A tensor, or the KV cache a `!graph.kv_cache` value stands for (not owned; kv_append
/// updates it in place and its result names the same pool).
using RuntimeValue = std::variant<HostTensor, HostKVCache *>;

} // namespace loom::ref

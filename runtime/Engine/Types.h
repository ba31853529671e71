// Small vocabulary types shared by the serving engine.
#pragma once

#include <cstdint>

namespace loom::rt {

/// A token of the model's vocabulary.
using TokenId = int32_t;
/// Index of a KV-cache block in the block pool.
using BlockId = int32_t;
/// Caller-visible identity of a request (one request = one sequence).
using RequestId = uint64_t;

} // namespace loom::rt

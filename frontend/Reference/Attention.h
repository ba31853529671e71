// Reference graph.attention: ragged-batch scaled dot-product attention with GQA.
#pragma once

#include "frontend/Reference/AttentionCore.h"
#include "runtime/Support/ThreadPool.h"

namespace loom::ref {

/// Sequence b owns rows seq_starts[b] .. seq_starts[b+1] of query [T, Hq·D] and key/value
/// [T, Hkv·D]; row i of a sequence attends to its rows 0..i (causal) or all of them. Rows after
/// seq_starts[B] belong to no sequence and come out as zeros. Rows run in parallel on `pool`.
StatusOr<HostTensor> attention(const HostTensor &query, const HostTensor &key,
                               const HostTensor &value, const HostTensor &seqStarts,
                               const AttentionParams &params, ThreadPool *pool = nullptr);

} // namespace loom::ref

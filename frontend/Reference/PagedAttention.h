// Reference graph.paged_attention: ragged queries over their context in the paged KV pool.
#pragma once

#include "frontend/Reference/AttentionCore.h"
#include "frontend/Reference/HostKVCache.h"
#include "runtime/Support/ThreadPool.h"

namespace loom::ref {

/// Sequence b's queries are rows seq_starts[b] .. seq_starts[b+1] (n_b of them) of query
/// [T, Hq·D], the last n_b of its context_lens[b] cached tokens: query i sits at position
/// context_lens[b] - n_b + i and, when causal, attends to positions 0 .. that position (else to
/// the whole context). Context token p is row p % blockSize of block
/// block_tables[b][p / blockSize] of `layer`. Covers prefill, chunked prefill and decode. Rows
/// after seq_starts[B] come out as zeros. Errors: context_lens[b] < n_b, a context that needs
/// more blocks than a table row holds, a block id outside the pool.
StatusOr<HostTensor> pagedAttention(const HostTensor &query, const HostKVCache &cache,
                                    int64_t layer, const HostTensor &blockTables,
                                    const HostTensor &seqStarts, const HostTensor &contextLens,
                                    const AttentionParams &params, ThreadPool *pool = nullptr);

} // namespace loom::ref

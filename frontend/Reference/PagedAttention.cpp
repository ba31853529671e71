// Reference paged attention: each query row gathers its context rows through the block table.
#include "frontend/Reference/PagedAttention.h"

#include "frontend/Reference/RowParallel.h"
#include "frontend/Reference/TensorChecks.h"

#include <fmt/format.h>

namespace loom::ref {
namespace {

Status invalid(std::string message) {
  return LOOM_ERROR(StatusCode::kInvalidArgument, std::move(message));
}

Status checkOperands(const HostTensor &query, const HostKVCache &cache, int64_t layer,
                     const HostTensor &blockTables, const HostTensor &seqStarts,
                     const HostTensor &contextLens, const AttentionParams &params) {
  LOOM_RETURN_IF_ERROR(checkAttentionParams(params));
  const KVCacheShape &shape = cache.shape();
  if (layer < 0 || layer >= shape.layers)
    return invalid(fmt::format("paged_attention layer {} is outside the cache's {} layers", layer,
                               shape.layers));
  if (shape.kvHeads != params.numKvHeads || shape.headDim != params.headDim)
    return invalid(fmt::format("paged_attention expects {} KV heads of {}, the cache holds {} of {}",
                               params.numKvHeads, params.headDim, shape.kvHeads, shape.headDim));
  LOOM_RETURN_IF_ERROR(expectFloat(query, "paged_attention query"));
  LOOM_RETURN_IF_ERROR(expectRank(query, 2, "paged_attention query"));
  if (query.dim(1) != params.numHeads * params.headDim || query.type() != shape.type)
    return invalid(fmt::format("paged_attention query {} must be [T, {}] of the cache type {}",
                               query.typeString(), params.numHeads * params.headDim,
                               elementTypeName(shape.type)));
  LOOM_RETURN_IF_ERROR(expectSeqStarts(seqStarts, query.dim(0)));
  int64_t sequences = seqStarts.dim(0) - 1;
  LOOM_RETURN_IF_ERROR(expectIndex(contextLens, "paged_attention context_lens"));
  LOOM_RETURN_IF_ERROR(expectVector(contextLens, sequences, "paged_attention context_lens"));
  LOOM_RETURN_IF_ERROR(expectIndex(blockTables, "paged_attention block_tables"));
  LOOM_RETURN_IF_ERROR(expectRank(blockTables, 2, "paged_attention block_tables"));
  if (blockTables.dim(0) != sequences)
    return invalid(fmt::format("paged_attention block_tables has {} rows for {} sequences",
                               blockTables.dim(0), sequences));
  for (int64_t b = 0; b < sequences; ++b) {
    int64_t queries = seqStarts.ints()[b + 1] - seqStarts.ints()[b];
    int64_t context = contextLens.ints()[b];
    if (context < queries)
      return invalid(fmt::format("sequence {} has {} queries but a context of {}", b, queries,
                                 context));
    int64_t blocksNeeded = (context + shape.blockSize - 1) / shape.blockSize;
    if (blocksNeeded > blockTables.dim(1))
      return invalid(fmt::format("sequence {} needs {} blocks for {} tokens; block_tables holds {}",
                                 b, blocksNeeded, context, blockTables.dim(1)));
    for (int64_t i = 0; i < blocksNeeded; ++i) {
      int64_t block = blockTables.ints()[b * blockTables.dim(1) + i];
      if (block < 0 || block >= shape.blocks)
        return invalid(fmt::format("sequence {} block {} is {}, outside the pool's {} blocks", b,
                                   i, block, shape.blocks));
    }
  }
  return Status::ok();
}

} // namespace

StatusOr<HostTensor> pagedAttention(const HostTensor &query, const HostKVCache &cache,
                                    int64_t layer, const HostTensor &blockTables,
                                    const HostTensor &seqStarts, const HostTensor &contextLens,
                                    const AttentionParams &params, ThreadPool *pool) {
  LOOM_RETURN_IF_ERROR(
      checkOperands(query, cache, layer, blockTables, seqStarts, contextLens, params));
  HostTensor result = HostTensor::zeros(query.type(), query.shape());
  const int64_t dim = params.headDim;
  const int64_t blockSize = cache.shape().blockSize;
  auto starts = seqStarts.ints();
  for (size_t b = 0; b + 1 < starts.size(); ++b) {
    int64_t first = starts[b], queries = starts[b + 1] - starts[b];
    int64_t context = contextLens.ints()[b];
    const int64_t *table = blockTables.ints().data() + b * blockTables.dim(1);
    auto slotOf = [&](int64_t p) { return table[p / blockSize] * blockSize + p % blockSize; };
    parallelForRows(pool, queries, [&](int64_t begin, int64_t end) {
      std::vector<const float *> keys, values;
      for (int64_t i = begin; i < end; ++i) {
        int64_t position = context - queries + i;
        int64_t visible = params.causal ? position + 1 : context;
        for (int64_t head = 0; head < params.numHeads; ++head) {
          int64_t kvHead = params.kvHeadOf(head);
          keys.clear();
          values.clear();
          for (int64_t p = 0; p < visible; ++p) {
            keys.push_back(cache.key(layer, slotOf(p), kvHead).data());
            values.push_back(cache.value(layer, slotOf(p), kvHead).data());
          }
          attendOneQuery(query.row(first + i).subspan(head * dim, dim), keys, values,
                         params.scale, result.row(first + i).subspan(head * dim, dim));
        }
      }
    });
  }
  result.roundToStorage();
  return result;
}

} // namespace loom::ref

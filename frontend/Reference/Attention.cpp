// Reference ragged attention: each query row gathers its sequence's visible key rows.
#include "frontend/Reference/Attention.h"

#include "frontend/Reference/RowParallel.h"
#include "frontend/Reference/TensorChecks.h"

#include <fmt/format.h>

namespace loom::ref {
namespace {

Status checkAttention(const HostTensor &query, const HostTensor &key, const HostTensor &value,
                      const HostTensor &seqStarts, const AttentionParams &params) {
  LOOM_RETURN_IF_ERROR(checkAttentionParams(params));
  LOOM_RETURN_IF_ERROR(expectFloat(query, "attention query"));
  LOOM_RETURN_IF_ERROR(expectRank(query, 2, "attention query"));
  LOOM_RETURN_IF_ERROR(expectSameType(key, value, "attention key and value"));
  if (query.dim(1) != params.numHeads * params.headDim || key.rank() != 2 ||
      key.dim(0) != query.dim(0) || key.dim(1) != params.numKvHeads * params.headDim ||
      key.type() != query.type())
    return LOOM_ERROR(StatusCode::kInvalidArgument,
                      fmt::format("attention operands {} and {} must be [T, {}] and [T, {}] of "
                                  "one type",
                                  query.typeString(), key.typeString(),
                                  params.numHeads * params.headDim,
                                  params.numKvHeads * params.headDim));
  return expectSeqStarts(seqStarts, query.dim(0));
}

} // namespace

StatusOr<HostTensor> attention(const HostTensor &query, const HostTensor &key,
                               const HostTensor &value, const HostTensor &seqStarts,
                               const AttentionParams &params, ThreadPool *pool) {
  LOOM_RETURN_IF_ERROR(checkAttention(query, key, value, seqStarts, params));
  HostTensor result = HostTensor::zeros(query.type(), query.shape());
  auto starts = seqStarts.ints();
  const int64_t dim = params.headDim;
  for (size_t b = 0; b + 1 < starts.size(); ++b) {
    int64_t first = starts[b], end = starts[b + 1];
    parallelForRows(pool, end - first, [&](int64_t begin, int64_t stop) {
      std::vector<const float *> keys, values;
      for (int64_t i = begin; i < stop; ++i) {
        int64_t visibleEnd = params.causal ? first + i + 1 : end;
        for (int64_t head = 0; head < params.numHeads; ++head) {
          int64_t kvOffset = params.kvHeadOf(head) * dim;
          keys.clear();
          values.clear();
          for (int64_t r = first; r < visibleEnd; ++r) {
            keys.push_back(key.row(r).data() + kvOffset);
            values.push_back(value.row(r).data() + kvOffset);
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

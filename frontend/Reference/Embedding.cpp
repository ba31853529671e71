// Reference embedding: copies the indexed rows.
#include "frontend/Reference/Embedding.h"

#include "frontend/Reference/TensorChecks.h"

#include <fmt/format.h>

#include <algorithm>

namespace loom::ref {

StatusOr<HostTensor> embedding(const HostTensor &table, const HostTensor &ids) {
  LOOM_RETURN_IF_ERROR(expectFloat(table, "embedding table"));
  LOOM_RETURN_IF_ERROR(expectRank(table, 2, "embedding table"));
  LOOM_RETURN_IF_ERROR(expectIndex(ids, "embedding ids"));
  LOOM_RETURN_IF_ERROR(expectRank(ids, 1, "embedding ids"));
  HostTensor result = HostTensor::zeros(table.type(), {ids.dim(0), table.dim(1)});
  for (int64_t i = 0; i < ids.dim(0); ++i) {
    int64_t id = ids.ints()[i];
    if (id < 0 || id >= table.dim(0))
      return LOOM_ERROR(StatusCode::kInvalidArgument,
                        fmt::format("embedding id {} (row {}) is outside the table's {} rows", id,
                                    i, table.dim(0)));
    std::ranges::copy(table.row(id), result.row(i).begin());
  }
  return result;
}

} // namespace loom::ref

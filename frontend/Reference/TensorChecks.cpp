// Argument checks shared by the reference ops.
#include "frontend/Reference/TensorChecks.h"

#include <fmt/format.h>

namespace loom::ref {

namespace {
Status invalid(std::string message) {
  return LOOM_ERROR(StatusCode::kInvalidArgument, std::move(message));
}
} // namespace

Status expectFloat(const HostTensor &tensor, std::string_view what) {
  if (!tensor.isFloat())
    return invalid(fmt::format("{} must be a float tensor, got {}", what, tensor.typeString()));
  return Status::ok();
}

Status expectIndex(const HostTensor &tensor, std::string_view what) {
  if (tensor.isFloat())
    return invalid(fmt::format("{} must be an i32/i64 tensor, got {}", what, tensor.typeString()));
  return Status::ok();
}

Status expectRank(const HostTensor &tensor, int64_t rank, std::string_view what) {
  if (tensor.rank() != rank)
    return invalid(fmt::format("{} must have rank {}, got {}", what, rank, tensor.typeString()));
  return Status::ok();
}

Status expectVector(const HostTensor &tensor, int64_t length, std::string_view what) {
  if (tensor.rank() != 1 || tensor.dim(0) != length)
    return invalid(fmt::format("{} must be a vector of {} entries, got {}", what, length,
                               tensor.typeString()));
  return Status::ok();
}

Status expectSameType(const HostTensor &a, const HostTensor &b, std::string_view what) {
  if (a.shape() != b.shape() || a.type() != b.type())
    return invalid(fmt::format("{}: operand types {} and {} differ", what, a.typeString(),
                               b.typeString()));
  return Status::ok();
}

Status expectSeqStarts(const HostTensor &seqStarts, int64_t rows) {
  LOOM_RETURN_IF_ERROR(expectIndex(seqStarts, "seq_starts"));
  LOOM_RETURN_IF_ERROR(expectRank(seqStarts, 1, "seq_starts"));
  auto starts = seqStarts.ints();
  if (starts.empty() || starts[0] != 0)
    return invalid("seq_starts must begin with 0");
  for (size_t b = 1; b < starts.size(); ++b)
    if (starts[b] < starts[b - 1])
      return invalid(fmt::format("seq_starts must be nondecreasing, got {} after {}", starts[b],
                                 starts[b - 1]));
  if (starts.back() > rows)
    return invalid(fmt::format("seq_starts ends at {}, beyond the {} rows", starts.back(), rows));
  return Status::ok();
}

} // namespace loom::ref

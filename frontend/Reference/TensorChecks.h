// Argument checks shared by the reference ops: each returns invalid-argument naming the operand.
#pragma once

#include "frontend/Reference/HostTensor.h"
#include "runtime/Support/Status.h"

#include <string_view>

namespace loom::ref {

/// `tensor` holds bf16/f16/f32 values.
Status expectFloat(const HostTensor &tensor, std::string_view what);
/// `tensor` holds i32/i64 values.
Status expectIndex(const HostTensor &tensor, std::string_view what);
/// `tensor` has rank `rank`.
Status expectRank(const HostTensor &tensor, int64_t rank, std::string_view what);
/// `tensor` is 1-D with `length` entries.
Status expectVector(const HostTensor &tensor, int64_t length, std::string_view what);
/// `a` and `b` have the same shape and element type.
Status expectSameType(const HostTensor &a, const HostTensor &b, std::string_view what);
/// seq_starts of a ragged batch over `rows` rows: 1-D index, starts at 0, nondecreasing, last
/// entry <= rows (rows after it belong to no sequence and come out as zeros).
Status expectSeqStarts(const HostTensor &seqStarts, int64_t rows);

} // namespace loom::ref

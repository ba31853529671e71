// Reference embedding: a gather of rows of a 2-D table by index.
#pragma once

#include "frontend/Reference/HostTensor.h"

namespace loom::ref {

/// result[i, :] = table[ids[i], :]; table [V, H] float, ids [T] i32/i64. An id outside [0, V)
/// is an invalid-argument error naming it.
StatusOr<HostTensor> embedding(const HostTensor &table, const HostTensor &ids);

} // namespace loom::ref

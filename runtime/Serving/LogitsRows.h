// LogitsRows: the check that every sampled row reads a logits row inside the rows a sampler has.
#pragma once

#include "runtime/Engine/SamplerRows.h"
#include "runtime/Support/Status.h"

namespace loom::rt {

/// kInvalidArgument naming the first row whose logitsRow lies outside [0, limit) — the rows of
/// logits that `reader` (e.g. "the greedy rows' buffer") holds; a row past them would read
/// outside the logits or a stale row.
Status checkLogitsRows(const SamplerRows &rows, int limit, const char *reader);

} // namespace loom::rt

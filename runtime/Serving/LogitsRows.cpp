// LogitsRows: every sampled row's logits row inside [0, limit).
#include "runtime/Serving/LogitsRows.h"

#include <fmt/format.h>

namespace loom::rt {

Status checkLogitsRows(const SamplerRows &rows, int limit, const char *reader) {
  for (size_t i = 0; i < rows.rows.size(); ++i) {
    const int32_t logitsRow = rows.rows[i].logitsRow;
    if (logitsRow < 0 || logitsRow >= limit)
      return LOOM_ERROR(StatusCode::kInvalidArgument,
                        fmt::format("sampled row {} reads logits row {}, outside the {} rows of {}",
                                    i, logitsRow, limit, reader));
  }
  return Status::ok();
}

} // namespace loom::rt

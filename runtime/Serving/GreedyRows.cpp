// GreedyRows: stage the rows' logits indices, one argmax launch, read the tokens.
#include "runtime/Serving/GreedyRows.h"

#include "runtime/Serving/LogitsRows.h"

#include <algorithm>
#include <fmt/format.h>

namespace loom::rt {

StatusOr<std::unique_ptr<GreedyRows>> GreedyRows::create(const Context &context,
                                                          KernelCompiler &compiler, int vocabSize,
                                                          int maxRows) {
  std::unique_ptr<GreedyRows> greedy(new GreedyRows(context, maxRows));
  LOOM_ASSIGN_OR_RETURN(greedy->argmax_, GraphArgmax::create(context, compiler, greedy->allocator_,
                                                             vocabSize, maxRows));
  LOOM_ASSIGN_OR_RETURN(greedy->logitsRows_,
                        greedy->allocator_.allocate(size_t(maxRows) * sizeof(int32_t)));
  LOOM_ASSIGN_OR_RETURN(greedy->staging_,
                        PinnedHostBuffer::allocate(context, size_t(maxRows) * sizeof(int32_t)));
  return greedy;
}

bool GreedyRows::handles(const SamplerRows &rows) {
  return std::all_of(rows.rows.begin(), rows.rows.end(), [](const SamplerRow &row) {
    return row.temperature == 0.0f && row.repetitionPenalty == 1.0f;
  });
}

Status GreedyRows::enqueue(CUdeviceptr logits, const SamplerRows &rows, const Stream &stream) {
  const int count = static_cast<int>(rows.rows.size());
  if (count > maxRows_ || !handles(rows))
    return LOOM_ERROR(StatusCode::kInvalidArgument,
                      fmt::format("greedy rows: {} rows (at most {}), all greedy without a "
                                  "repetition penalty",
                                  count, maxRows_));
  LOOM_RETURN_IF_ERROR(checkLogitsRows(rows, maxRows_, "the greedy rows' logits"));
  enqueuedRows_ = count;
  if (count == 0)
    return Status::ok();
  // The previous step's tokens have been read (its stream synchronized), so the staging is free.
  auto *host = staging_->as<int32_t>();
  for (int r = 0; r < count; ++r)
    host[r] = rows.rows[r].logitsRow;
  LOOM_RETURN_IF_ERROR(stream.copyToDevice(logitsRows_.address(), host, count * sizeof(int32_t)));
  return argmax_->enqueueRows(logits, logitsRows_.address(), count, stream);
}

std::vector<TokenId> GreedyRows::tokens() const {
  std::vector<TokenId> tokens(enqueuedRows_);
  for (int r = 0; r < enqueuedRows_; ++r)
    tokens[r] = argmax_->token(r);
  return tokens;
}

} // namespace loom::rt

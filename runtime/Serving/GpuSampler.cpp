// GpuSampler: compile, load, stage the rows, launch one CTA per row, read the tokens back.
#include "runtime/Serving/GpuSampler.h"

#include "runtime/CUDA/Launch.h"
#include "runtime/Serving/LogitsRows.h"

#include <algorithm>
#include <cstring>
#include <fmt/format.h>

namespace loom::rt {

namespace {
constexpr unsigned kThreadsPerRow = 1024;
} // namespace

std::string samplerKernelSource() {
  return fmt::format(R"cuda(// One token per logits row (loom/sampler.cuh), {0} threads per row.
#include "loom/sampler.cuh"

extern "C" __global__ __launch_bounds__({0}) void {1}(const float *logits, float *work, int *out,
    const loom::SamplerRow *rows, const int *history, int vocab) {{
  loom::sampleRow<{0}>(logits, work, out, rows, history, vocab);
}}
)cuda",
                     kThreadsPerRow, kSamplerKernelName);
}

StatusOr<std::unique_ptr<GpuSampler>> GpuSampler::create(const Context &context,
                                                          KernelCompiler &compiler,
                                                          int vocabSize, int maxRows) {
  if (vocabSize < 1 || maxRows < 1)
    return LOOM_ERROR(StatusCode::kInvalidArgument,
                      fmt::format("a sampler needs a vocabulary and rows, got {} and {}",
                                  vocabSize, maxRows));
  std::unique_ptr<GpuSampler> sampler(new GpuSampler(context, vocabSize, maxRows));
  LOOM_ASSIGN_OR_RETURN(sampler->kernel_, loadKernel(context, compiler, kSamplerKernelName,
                                                     samplerKernelSource()));
  auto &allocator = sampler->allocator_;
  LOOM_ASSIGN_OR_RETURN(sampler->work_,
                        allocator.allocate(size_t(maxRows) * vocabSize * sizeof(float)));
  LOOM_ASSIGN_OR_RETURN(sampler->rows_, allocator.allocate(size_t(maxRows) * sizeof(SamplerRow)));
  LOOM_ASSIGN_OR_RETURN(sampler->out_, allocator.allocate(size_t(maxRows) * sizeof(int32_t)));
  LOOM_ASSIGN_OR_RETURN(sampler->rowsHost_,
                        PinnedHostBuffer::allocate(context, size_t(maxRows) * sizeof(SamplerRow)));
  LOOM_ASSIGN_OR_RETURN(sampler->tokensHost_,
                        PinnedHostBuffer::allocate(context, size_t(maxRows) * sizeof(int32_t)));
  LOOM_RETURN_IF_ERROR(sampler->reserveHistory(1));
  LOOM_ASSIGN_OR_RETURN(sampler->greedy_,
                        GreedyRows::create(context, compiler, vocabSize, maxRows));
  LOOM_ASSIGN_OR_RETURN(sampler->graphArgmax_,
                        GraphArgmax::create(context, compiler, allocator, vocabSize, maxRows));
  return sampler;
}

Status GpuSampler::reserveHistory(size_t count) {
  size_t bytes = count * sizeof(int32_t);
  if (historyHost_ && historyHost_->size() >= bytes)
    return Status::ok();
  bytes = std::max<size_t>(bytes, historyHost_ ? 2 * historyHost_->size() : 4096);
  LOOM_ASSIGN_OR_RETURN(history_, allocator_.allocate(bytes));
  LOOM_ASSIGN_OR_RETURN(historyHost_, PinnedHostBuffer::allocate(context_, bytes));
  return Status::ok();
}

StatusOr<std::vector<TokenId>> GpuSampler::sample(CUdeviceptr logits, const SamplerRows &rows,
                                                  const Stream &stream) {
  LOOM_RETURN_IF_ERROR(enqueue(logits, rows, stream));
  return collect(stream);
}

Status GpuSampler::enqueue(CUdeviceptr logits, const SamplerRows &rows, const Stream &stream) {
  const int count = static_cast<int>(rows.rows.size());
  if (count > maxRows_)
    return LOOM_ERROR(StatusCode::kInvalidArgument,
                      fmt::format("{} rows to sample, the sampler holds {}", count, maxRows_));
  enqueuedRows_ = count;
  path_ = count > 0 && GreedyRows::handles(rows) ? Path::kGreedy : Path::kSampler;
  if (path_ == Path::kGreedy)
    return greedy_->enqueue(logits, rows, stream);
  if (count == 0)
    return Status::ok();
  LOOM_RETURN_IF_ERROR(checkLogitsRows(rows, maxRows_, "the sampler's logits"));
  // The previous sample has been collected (synchronized), so the staging is free.
  std::memcpy(rowsHost_->data(), rows.rows.data(), count * sizeof(SamplerRow));
  LOOM_RETURN_IF_ERROR(
      stream.copyToDevice(rows_.address(), rowsHost_->data(), count * sizeof(SamplerRow)));
  if (!rows.history.empty()) {
    LOOM_RETURN_IF_ERROR(reserveHistory(rows.history.size()));
    size_t bytes = rows.history.size() * sizeof(int32_t);
    std::memcpy(historyHost_->data(), rows.history.data(), bytes);
    LOOM_RETURN_IF_ERROR(stream.copyToDevice(history_.address(), historyHost_->data(), bytes));
  }
  KernelArgs args;
  args.add(logits).add(work_.address()).add(out_.address()).add(rows_.address());
  args.add(history_.address()).add(vocabSize_);
  LaunchConfig config{{static_cast<unsigned>(count), 1, 1}, {kThreadsPerRow, 1, 1}, 0};
  LOOM_RETURN_IF_ERROR(launchKernel(*kernel_.kernel, config, args, stream.handle()));
  return stream.copyToHost(tokensHost_->data(), out_.address(), count * sizeof(int32_t));
}

StatusOr<std::vector<TokenId>> GpuSampler::collect(const Stream &stream) {
  if (enqueuedRows_ == 0)
    return std::vector<TokenId>();
  LOOM_RETURN_IF_ERROR(stream.synchronize());
  if (path_ == Path::kGreedy)
    return greedy_->tokens();
  if (path_ == Path::kInGraph) {
    std::vector<TokenId> tokens(enqueuedRows_);
    for (int r = 0; r < enqueuedRows_; ++r)
      tokens[r] = graphArgmax_->token(adoptedLogitsRows_[r]);
    return tokens;
  }
  const TokenId *tokens = tokensHost_->as<TokenId>();
  return std::vector<TokenId>(tokens, tokens + enqueuedRows_);
}

bool GpuSampler::samplesInGraph(const SamplerRows &rows) {
  return !rows.rows.empty() && GreedyRows::handles(rows);
}

Status GpuSampler::enqueueInGraph(CUdeviceptr logits, int rows, const Stream &stream) const {
  return graphArgmax_->enqueue(logits, rows, stream);
}

int GpuSampler::inGraphRows(int64_t bucketRows) const {
  return static_cast<int>(std::min<int64_t>(bucketRows, maxRows_));
}

Status GpuSampler::adoptInGraph(const SamplerRows &rows, int graphRows) {
  const int count = static_cast<int>(rows.rows.size());
  if (graphRows < 1 || graphRows > maxRows_)
    return LOOM_ERROR(StatusCode::kInvalidArgument,
                      fmt::format("a decode graph's argmax reduces 1 to {} rows, not {}", maxRows_,
                                  graphRows));
  if (!samplesInGraph(rows) || count > graphRows)
    return LOOM_ERROR(StatusCode::kInvalidArgument,
                      fmt::format("a decode graph samples 1 to {} rows, all greedy without a "
                                  "repetition penalty; got {}",
                                  graphRows, count));
  // The graph reduced only logits rows [0, graphRows): a row past them holds a stale token.
  LOOM_RETURN_IF_ERROR(checkLogitsRows(rows, graphRows, "the graph's argmax"));
  adoptedLogitsRows_.clear();
  for (const SamplerRow &row : rows.rows)
    adoptedLogitsRows_.push_back(row.logitsRow);
  enqueuedRows_ = count;
  path_ = Path::kInGraph;
  return Status::ok();
}

} // namespace loom::rt

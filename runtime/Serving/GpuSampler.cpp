// GpuSampler: compile, load, stage the rows, launch one CTA per row, read the tokens back.
#include "runtime/Serving/GpuSampler.h"

#include "runtime/CUDA/Launch.h"

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
  LOOM_ASSIGN_OR_RETURN(GpuArch arch, context.arch());
  CompileRequest request;
  request.name = kSamplerKernelName;
  request.source = samplerKernelSource();
  request.arch = arch;
  LOOM_ASSIGN_OR_RETURN(CompileResult compiled, compiler.compile(request));
  std::unique_ptr<GpuSampler> sampler(new GpuSampler(context, vocabSize, maxRows));
  LOOM_ASSIGN_OR_RETURN(sampler->module_, Module::load(context, compiled.kernel->cubin));
  LOOM_ASSIGN_OR_RETURN(sampler->kernel_, sampler->module_->kernel(kSamplerKernelName));
  auto &allocator = sampler->allocator_;
  LOOM_ASSIGN_OR_RETURN(sampler->work_,
                        allocator.allocate(size_t(maxRows) * vocabSize * sizeof(float)));
  LOOM_ASSIGN_OR_RETURN(sampler->rows_, allocator.allocate(size_t(maxRows) * sizeof(SamplerRow)));
  LOOM_ASSIGN_OR_RETURN(sampler->out_, allocator.allocate(size_t(maxRows) * sizeof(int32_t)));
  return sampler;
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
  if (count == 0)
    return Status::ok();
  LOOM_RETURN_IF_ERROR(
      stream.copyToDevice(rows_.address(), rows.rows.data(), count * sizeof(SamplerRow)));
  // At least one element, so the history pointer is valid even when no row has a penalty.
  LOOM_ASSIGN_OR_RETURN(history_,
                        allocator_.allocate(std::max<size_t>(1, rows.history.size()) * 4));
  if (!rows.history.empty())
    LOOM_RETURN_IF_ERROR(stream.copyToDevice(history_.address(), rows.history.data(),
                                             rows.history.size() * sizeof(int32_t)));
  KernelArgs args;
  args.add(logits).add(work_.address()).add(out_.address()).add(rows_.address());
  args.add(history_.address()).add(vocabSize_);
  LaunchConfig config{{static_cast<unsigned>(count), 1, 1}, {kThreadsPerRow, 1, 1}, 0};
  return launchKernel(*kernel_, config, args, stream.handle());
}

StatusOr<std::vector<TokenId>> GpuSampler::collect(const Stream &stream) {
  std::vector<TokenId> tokens(enqueuedRows_);
  if (enqueuedRows_ == 0)
    return tokens;
  LOOM_RETURN_IF_ERROR(
      stream.copyToHost(tokens.data(), out_.address(), enqueuedRows_ * sizeof(int32_t)));
  LOOM_RETURN_IF_ERROR(stream.synchronize());
  return tokens;
}

} // namespace loom::rt

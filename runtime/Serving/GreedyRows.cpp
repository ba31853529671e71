// GreedyRows: compile, stage slots and rows, one launch, read the slots back.
#include "runtime/Serving/GreedyRows.h"

#include "runtime/CUDA/Launch.h"
#include "runtime/Serving/LogitsRows.h"

#include <algorithm>
#include <cstring>
#include <fmt/format.h>

namespace loom::rt {

namespace {
constexpr int kLogitsPerThread = 16; ///< a CTA's share of a row: kGreedyThreads * kLogitsPerThread
constexpr size_t kSlotBytes = sizeof(uint64_t) + sizeof(int32_t);
} // namespace

std::string greedyWarpBestSource() {
  return fmt::format(R"cuda(#include "loom/sampler.cuh"

// A warp's largest samplerKey(logit) << 32 | ~index over its CTA's share of row x (larger is
// better: the largest logit, the lowest index among equals); 0 when the share is empty.
__device__ __forceinline__ unsigned long long loomGreedyWarpBest(const float *x, int vocab) {{
  unsigned long long mine = 0;
  for (int i = blockIdx.x * {0} + threadIdx.x; i < vocab; i += gridDim.x * {0}) {{
    const unsigned long long candidate =
        ((unsigned long long)loom::samplerKey(x[i]) << 32) | (unsigned)~(unsigned)i;
    mine = candidate > mine ? candidate : mine;
  }}
  for (int offset = 16; offset > 0; offset >>= 1) {{
    const unsigned long long other = __shfl_xor_sync(0xffffffffu, mine, offset);
    mine = other > mine ? other : mine;
  }}
  return mine;
}}
)cuda",
                     kGreedyThreads);
}

int greedyChunksPerRow(int vocabSize) {
  const int perCta = static_cast<int>(kGreedyThreads) * kLogitsPerThread;
  return (vocabSize + perCta - 1) / perCta;
}

std::string greedyKernelSource() {
  return fmt::format(R"cuda(// The argmax of greedy logits rows over a grid of CTAs per row (runtime/Serving/GreedyRows.h).
{0}
extern "C" __global__ __launch_bounds__({1}) void {2}(const float *logits,
    unsigned long long *best, const int *logitRows, int vocab) {{
  const unsigned long long mine =
      loomGreedyWarpBest(logits + (long long)logitRows[blockIdx.y] * vocab, vocab);
  if (threadIdx.x % 32 == 0)
    atomicMax(best + blockIdx.y, mine);
}}
)cuda",
                     greedyWarpBestSource(), kGreedyThreads, kGreedyKernelName);
}

StatusOr<std::unique_ptr<GreedyRows>> GreedyRows::create(const Context &context,
                                                          KernelCompiler &compiler, int vocabSize,
                                                          int maxRows) {
  std::unique_ptr<GreedyRows> greedy(new GreedyRows(context, vocabSize, maxRows));
  LOOM_ASSIGN_OR_RETURN(greedy->kernel_, loadKernel(context, compiler, kGreedyKernelName,
                                                    greedyKernelSource()));
  LOOM_ASSIGN_OR_RETURN(greedy->slots_, greedy->allocator_.allocate(size_t(maxRows) * kSlotBytes));
  LOOM_ASSIGN_OR_RETURN(greedy->staging_,
                        PinnedHostBuffer::allocate(context, size_t(maxRows) * kSlotBytes));
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
  // The slots of `count` rows, then their logits rows: one copy zeroes and fills both.
  auto *host = staging_->as<std::byte>();
  std::memset(host, 0, count * sizeof(uint64_t));
  auto *logitRows = reinterpret_cast<int32_t *>(host + count * sizeof(uint64_t));
  for (int r = 0; r < count; ++r)
    logitRows[r] = rows.rows[r].logitsRow;
  LOOM_RETURN_IF_ERROR(stream.copyToDevice(slots_.address(), host, count * kSlotBytes));
  KernelArgs args;
  args.add(logits).add(slots_.address()).add(slots_.address() + count * sizeof(uint64_t));
  args.add(vocabSize_);
  LaunchConfig config{{static_cast<unsigned>(greedyChunksPerRow(vocabSize_)),
                       static_cast<unsigned>(count), 1},
                      {kGreedyThreads, 1, 1},
                      0};
  LOOM_RETURN_IF_ERROR(launchKernel(*kernel_.kernel, config, args, stream.handle()));
  return stream.copyToHost(host, slots_.address(), count * sizeof(uint64_t));
}

std::vector<TokenId> GreedyRows::tokens() const {
  std::vector<TokenId> tokens(enqueuedRows_);
  const auto *slots = staging_->as<uint64_t>();
  for (int r = 0; r < enqueuedRows_; ++r)
    tokens[r] = static_cast<TokenId>(~static_cast<uint32_t>(slots[r] & 0xffffffffu));
  return tokens;
}

} // namespace loom::rt

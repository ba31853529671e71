// GraphArgmax: compile, zero the counters once, one launch per step (fixed rows, or rows by index).
#include "runtime/Serving/GraphArgmax.h"

#include "runtime/CUDA/Launch.h"

#include <fmt/format.h>

namespace loom::rt {

namespace {
constexpr int kLogitsPerThread = 16; ///< a CTA's share of a row: kGreedyThreads * kLogitsPerThread
} // namespace

int greedyChunksPerRow(int vocabSize) {
  const int perCta = static_cast<int>(kGreedyThreads) * kLogitsPerThread;
  return (vocabSize + perCta - 1) / perCta;
}

std::string graphArgmaxKernelSource() {
  return fmt::format(R"cuda(// The argmax of greedy logits rows written to pinned host memory, one launch a CUDA graph can hold (runtime/Serving/GraphArgmax.h).
#include "loom/sampler.cuh"

// A warp's largest samplerKey(logit) << 32 | ~index over its CTA's strided share of row x
// (larger is better: the largest logit, the lowest index among equals); 0 when the share is empty.
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

// Row blockIdx.y reduces logits row logitsRows[blockIdx.y], or row blockIdx.y when logitsRows is null.
extern "C" __global__ __launch_bounds__({0}) void {1}(const float *logits, const int *logitsRows,
    unsigned long long *partials, unsigned *arrivals, int *tokens, int vocab) {{
  __shared__ unsigned long long warpBest[{0} / 32];
  __shared__ bool lastOfRow;
  const long long logitsRow = logitsRows ? (long long)logitsRows[blockIdx.y] : (long long)blockIdx.y;
  const unsigned long long mine = loomGreedyWarpBest(logits + logitsRow * vocab, vocab);
  if (threadIdx.x % 32 == 0)
    warpBest[threadIdx.x / 32] = mine;
  __syncthreads();
  unsigned long long *rowPartials = partials + (long long)blockIdx.y * gridDim.x;
  if (threadIdx.x == 0) {{
    unsigned long long best = 0;
    for (int w = 0; w < {0} / 32; ++w)
      best = warpBest[w] > best ? warpBest[w] : best;
    rowPartials[blockIdx.x] = best;
    __threadfence();
    lastOfRow = atomicAdd(arrivals + blockIdx.y, 1u) == gridDim.x - 1;
  }}
  __syncthreads();
  if (!lastOfRow || threadIdx.x >= 32)
    return;
  __threadfence();
  unsigned long long best = 0;
  for (int c = threadIdx.x; c < gridDim.x; c += 32) {{
    const unsigned long long other = __ldcg(rowPartials + c);
    best = other > best ? other : best;
  }}
  for (int offset = 16; offset > 0; offset >>= 1) {{
    const unsigned long long other = __shfl_xor_sync(0xffffffffu, best, offset);
    best = other > best ? other : best;
  }}
  if (threadIdx.x == 0) {{
    tokens[blockIdx.y] = (int)~(unsigned)(best & 0xffffffffull);
    arrivals[blockIdx.y] = 0;
  }}
}}
)cuda",
                     kGreedyThreads, kGraphArgmaxKernelName);
}

StatusOr<std::unique_ptr<GraphArgmax>> GraphArgmax::create(const Context &context,
                                                            KernelCompiler &compiler,
                                                            DeviceAllocator &allocator,
                                                            int vocabSize, int maxRows) {
  if (vocabSize < 1 || maxRows < 1)
    return LOOM_ERROR(StatusCode::kInvalidArgument,
                      fmt::format("a graph argmax needs a vocabulary and rows, got {} and {}",
                                  vocabSize, maxRows));
  std::unique_ptr<GraphArgmax> argmax(new GraphArgmax(vocabSize, maxRows));
  LOOM_ASSIGN_OR_RETURN(argmax->kernel_, loadKernel(context, compiler, kGraphArgmaxKernelName,
                                                    graphArgmaxKernelSource()));
  const size_t chunks = static_cast<size_t>(greedyChunksPerRow(vocabSize));
  LOOM_ASSIGN_OR_RETURN(argmax->partials_,
                        allocator.allocate(size_t(maxRows) * chunks * sizeof(uint64_t)));
  LOOM_ASSIGN_OR_RETURN(argmax->arrivals_, allocator.allocate(size_t(maxRows) * sizeof(uint32_t)));
  LOOM_ASSIGN_OR_RETURN(argmax->tokens_,
                        PinnedHostBuffer::allocate(context, size_t(maxRows) * sizeof(int32_t)));
  LOOM_ASSIGN_OR_RETURN(std::unique_ptr<Stream> stream, Stream::create(context));
  LOOM_RETURN_IF_ERROR(stream->fill(argmax->arrivals_.address(), 0, argmax->arrivals_.size()));
  LOOM_RETURN_IF_ERROR(stream->synchronize());
  return argmax;
}

Status GraphArgmax::enqueue(CUdeviceptr logits, int rows, const Stream &stream) const {
  return launch(logits, 0, rows, stream);
}

Status GraphArgmax::enqueueRows(CUdeviceptr logits, CUdeviceptr logitsRows, int rows,
                                const Stream &stream) const {
  return launch(logits, logitsRows, rows, stream);
}

Status GraphArgmax::launch(CUdeviceptr logits, CUdeviceptr logitsRows, int rows,
                           const Stream &stream) const {
  if (rows < 1 || rows > maxRows_)
    return LOOM_ERROR(StatusCode::kInvalidArgument,
                      fmt::format("graph argmax of {} rows, it holds 1 to {}", rows, maxRows_));
  KernelArgs args;
  args.add(logits).add(logitsRows).add(partials_.address()).add(arrivals_.address());
  args.add(reinterpret_cast<CUdeviceptr>(tokens_->data())).add(vocabSize_);
  LaunchConfig config{{static_cast<unsigned>(greedyChunksPerRow(vocabSize_)),
                       static_cast<unsigned>(rows), 1},
                      {kGreedyThreads, 1, 1},
                      0};
  return launchKernel(*kernel_.kernel, config, args, stream.handle());
}

} // namespace loom::rt

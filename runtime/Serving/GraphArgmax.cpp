// GraphArgmax: compile, zero the counters once, one fixed launch per step.
#include "runtime/Serving/GraphArgmax.h"

#include "runtime/CUDA/Launch.h"
#include "runtime/Serving/GreedyRows.h"

#include <fmt/format.h>

namespace loom::rt {

std::string graphArgmaxKernelSource() {
  return fmt::format(R"cuda(// The argmax of greedy logits rows written to pinned host memory, one launch a CUDA graph holds (runtime/Serving/GraphArgmax.h).
{0}
extern "C" __global__ __launch_bounds__({1}) void {2}(const float *logits,
    unsigned long long *partials, unsigned *arrivals, int *tokens, int vocab) {{
  __shared__ unsigned long long warpBest[{1} / 32];
  __shared__ bool lastOfRow;
  const unsigned long long mine = loomGreedyWarpBest(logits + (long long)blockIdx.y * vocab, vocab);
  if (threadIdx.x % 32 == 0)
    warpBest[threadIdx.x / 32] = mine;
  __syncthreads();
  unsigned long long *rowPartials = partials + (long long)blockIdx.y * gridDim.x;
  if (threadIdx.x == 0) {{
    unsigned long long best = 0;
    for (int w = 0; w < {1} / 32; ++w)
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
                     greedyWarpBestSource(), kGreedyThreads, kGraphArgmaxKernelName);
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
  if (rows < 1 || rows > maxRows_)
    return LOOM_ERROR(StatusCode::kInvalidArgument,
                      fmt::format("graph argmax of {} rows, it holds 1 to {}", rows, maxRows_));
  KernelArgs args;
  args.add(logits).add(partials_.address()).add(arrivals_.address());
  args.add(reinterpret_cast<CUdeviceptr>(tokens_->data())).add(vocabSize_);
  LaunchConfig config{{static_cast<unsigned>(greedyChunksPerRow(vocabSize_)),
                       static_cast<unsigned>(rows), 1},
                      {kGreedyThreads, 1, 1},
                      0};
  return launchKernel(*kernel_.kernel, config, args, stream.handle());
}

} // namespace loom::rt

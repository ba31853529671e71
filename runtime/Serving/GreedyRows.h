// GreedyRows: the GPU sampler's fast path for steps whose rows are all greedy without a
// repetition penalty — each row's argmax over many CTAs instead of loom/sampler.cuh's one.
#pragma once

#include "runtime/CUDA/CudaMemory.h"
#include "runtime/CUDA/DeviceAllocator.h"
#include "runtime/CUDA/KernelCompiler.h"
#include "runtime/CUDA/Module.h"
#include "runtime/Serving/LoadedKernel.h"
#include "runtime/CUDA/Stream.h"
#include "runtime/Engine/SamplerRows.h"

#include <memory>
#include <optional>
#include <string>

namespace loom::rt {

/// The kernel's name and source (256 threads; grid = (chunks of a row, rows)).
inline constexpr const char *kGreedyKernelName = "loom_greedy_rows";
std::string greedyKernelSource();
/// The device code both greedy kernels share (this one and GraphArgmax's): the threads per CTA,
/// and loomGreedyWarpBest(x, vocab), a warp's largest (samplerKey << 32 | ~index) over its CTA's
/// strided share of row x.
inline constexpr unsigned kGreedyThreads = 256;
std::string greedyWarpBestSource();
/// The CTAs (gridDim.x) that share one row of `vocabSize` logits.
int greedyChunksPerRow(int vocabSize);

/// How it works: every CTA reduces a strided share of its row to the largest
/// (samplerKey(logit) << 32 | ~index) — loom/sampler.cuh's greedy order: the largest logit, the
/// lowest index among equals — and each warp folds its value into the row's slot with a 64-bit
/// atomicMax. One pinned upload zeroes the slots and carries the rows' logits indices; the slots
/// come back and the host reads the index from their low half. A row of 128256 logits is read by
/// 32 CTAs instead of one (which also copies it to scratch and reads it again).
class GreedyRows {
public:
  /// Compiles and loads the kernel; `context` must outlive the object.
  static StatusOr<std::unique_ptr<GreedyRows>> create(const Context &context,
                                                      KernelCompiler &compiler, int vocabSize,
                                                      int maxRows);

  /// Whether every row is greedy (temperature 0) without a repetition penalty.
  static bool handles(const SamplerRows &rows);

  /// Issues the argmax of `rows` (at most maxRows, all handled) of the f32 logits [*, vocab] at
  /// `logits` and the copy of the results into pinned memory on `stream`; kInvalidArgument
  /// when a row's logitsRow is outside [0, maxRows) (checkLogitsRows).
  Status enqueue(CUdeviceptr logits, const SamplerRows &rows, const Stream &stream);
  /// After `stream` has passed the enqueue: the tokens of its rows, in row order.
  std::vector<TokenId> tokens() const;

private:
  GreedyRows(const Context &context, int vocabSize, int maxRows)
      : backend_(context), allocator_(backend_), vocabSize_(vocabSize), maxRows_(maxRows) {}

  CudaMemoryBackend backend_;
  DeviceAllocator allocator_;
  LoadedKernel kernel_;
  /// [rows] u64 slots, then [rows] i32 logits rows — on the device and staged in pinned memory.
  DeviceBuffer slots_;
  std::optional<PinnedHostBuffer> staging_;
  int vocabSize_, maxRows_;
  int enqueuedRows_ = 0;
};

} // namespace loom::rt

// GraphArgmax: the many-CTA greedy argmax of logits rows as one launch a CUDA graph can hold —
// no host staging before it, the tokens written straight into pinned host memory.
#pragma once

#include "runtime/CUDA/CudaMemory.h"
#include "runtime/CUDA/DeviceAllocator.h"
#include "runtime/CUDA/KernelCompiler.h"
#include "runtime/CUDA/Stream.h"
#include "runtime/Engine/Types.h"
#include "runtime/Serving/LoadedKernel.h"

#include <memory>
#include <optional>
#include <string>

namespace loom::rt {

/// Threads per CTA of the argmax.
inline constexpr unsigned kGreedyThreads = 256;
/// The CTAs (gridDim.x) that share one row of `vocabSize` logits.
int greedyChunksPerRow(int vocabSize);

/// The kernel's name and source (kGreedyThreads threads; grid = (chunks of a row, rows)).
inline constexpr const char *kGraphArgmaxKernelName = "loom_greedy_rows_to_host";
std::string graphArgmaxKernelSource();

/// How it works: every CTA reduces a strided share of its row to the largest
/// (samplerKey(logit) << 32 | ~index) — loom/sampler.cuh's greedy order: the largest logit, the
/// lowest index among equals — stores it in a partials slot and counts itself in the row's
/// arrival counter; the row's last CTA folds the partials, writes the token into pinned host
/// memory (mapped through unified addressing) and resets the counter for the next launch. A row
/// of 128256 logits is read by 32 CTAs instead of loom/sampler.cuh's one.
/// enqueue's arguments are fixed, so a decode graph captures the launch once and replays it: a
/// step is one graph launch and one sync; rows past the batch's (a bucket's padding) are reduced
/// too and ignored. enqueueRows reads the logits rows through an index array (GreedyRows).
class GraphArgmax {
public:
  /// Compiles and loads the kernel, takes its buffers from `allocator` (which must outlive the
  /// object) and zeroes the counters.
  static StatusOr<std::unique_ptr<GraphArgmax>> create(const Context &context,
                                                       KernelCompiler &compiler,
                                                       DeviceAllocator &allocator, int vocabSize,
                                                       int maxRows);

  /// Issues the argmax of the f32 logits rows [0, rows) of [*, vocab] at `logits` on `stream`
  /// (capturable); kInvalidArgument when rows is not in [1, maxRows].
  Status enqueue(CUdeviceptr logits, int rows, const Stream &stream) const;
  /// Issues the argmax of `rows` rows whose logits rows are the i32 device array `logitsRows`
  /// (row r reduces logits row logitsRows[r], each checked by the caller to be inside `logits`);
  /// kInvalidArgument when rows is not in [1, maxRows].
  Status enqueueRows(CUdeviceptr logits, CUdeviceptr logitsRows, int rows, const Stream &stream) const;
  /// After `stream` has passed an enqueue covering it: the token of row `row` (enqueue: logits
  /// row `row`; enqueueRows: the row the index array names at `row`).
  TokenId token(int row) const { return tokens_->as<TokenId>()[row]; }

private:
  GraphArgmax(int vocabSize, int maxRows) : vocabSize_(vocabSize), maxRows_(maxRows) {}
  /// The launch; `logitsRows` 0: row r reads logits row r.
  Status launch(CUdeviceptr logits, CUdeviceptr logitsRows, int rows, const Stream &stream) const;

  LoadedKernel kernel_;
  DeviceBuffer partials_; ///< [maxRows, chunks] u64: each CTA's best
  DeviceBuffer arrivals_; ///< [maxRows] u32: CTAs of the row done; 0 between launches
  std::optional<PinnedHostBuffer> tokens_; ///< [maxRows] i32
  int vocabSize_, maxRows_;
};

} // namespace loom::rt

// GraphArgmax: the greedy argmax of a decode step's logits rows as one launch a CUDA graph holds —
// no host staging before it, the tokens written straight into pinned host memory.
#pragma once

#include "runtime/CUDA/CudaMemory.h"
#include "runtime/CUDA/DeviceAllocator.h"
#include "runtime/CUDA/Stream.h"
#include "runtime/Engine/Types.h"
#include "runtime/Serving/LoadedKernel.h"

#include <memory>
#include <optional>

namespace loom::rt {

/// The kernel's name and source (kGreedyThreads threads; grid = (chunks of a row, rows)).
inline constexpr const char *kGraphArgmaxKernelName = "loom_greedy_rows_to_host";
std::string graphArgmaxKernelSource();

/// How it works: the CTAs of a row reduce their shares exactly as GreedyRows' kernel does
/// (loomGreedyWarpBest, the same order: the largest logit, the lowest index among equals); each
/// CTA stores its best in a partials slot and counts itself in the row's arrival counter; the
/// row's last CTA folds the partials, writes the token into pinned host memory (mapped through
/// unified addressing) and resets the counter for the next launch. Every argument is fixed, so
/// a decode graph captures the launch once and replays it: a step is one graph launch and one
/// sync. Rows past the batch's (a bucket's padding) are reduced too and ignored.
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
  /// After `stream` has passed an enqueue covering it: the token of logits row `row`.
  TokenId token(int row) const { return tokens_->as<TokenId>()[row]; }

private:
  GraphArgmax(int vocabSize, int maxRows) : vocabSize_(vocabSize), maxRows_(maxRows) {}

  LoadedKernel kernel_;
  DeviceBuffer partials_; ///< [maxRows, chunks] u64: each CTA's best
  DeviceBuffer arrivals_; ///< [maxRows] u32: CTAs of the row done; 0 between launches
  std::optional<PinnedHostBuffer> tokens_; ///< [maxRows] i32
  int vocabSize_, maxRows_;
};

} // namespace loom::rt

// GpuSampler: the launcher of loom/sampler.cuh — one token per sampled row, from logits that
// stay on the device.
#pragma once

#include "runtime/CUDA/CudaMemory.h"
#include "runtime/CUDA/DeviceAllocator.h"
#include "runtime/CUDA/KernelCompiler.h"
#include "runtime/CUDA/Module.h"
#include "runtime/CUDA/Stream.h"
#include "runtime/Engine/SamplerRows.h"
#include "runtime/Serving/GraphArgmax.h"
#include "runtime/Serving/GreedyRows.h"
#include "runtime/Serving/LoadedKernel.h"

#include <memory>
#include <optional>
#include <string>

namespace loom::rt {

/// The wrapper kernel's name and source (loom/sampler.cuh's contract, 1024 threads per row).
inline constexpr const char *kSamplerKernelName = "loom_sample_rows";
std::string samplerKernelSource();

class GpuSampler {
public:
  /// Compiles (through `compiler`'s cache) and loads the sampler for `context`'s device and
  /// allocates scratch for `maxRows` rows of `vocabSize`. `context` must outlive the sampler.
  static StatusOr<std::unique_ptr<GpuSampler>> create(const Context &context,
                                                      KernelCompiler &compiler, int vocabSize,
                                                      int maxRows);

  /// Samples `rows` (at most maxRows) from the f32 logits [*, vocab] at `logits` on `stream`
  /// and returns the tokens in row order (synchronizes `stream`): enqueue, then collect.
  StatusOr<std::vector<TokenId>> sample(CUdeviceptr logits, const SamplerRows &rows,
                                        const Stream &stream);
  /// Issues the sampling of `rows` on `stream` without waiting; one sample is in flight at a
  /// time (the next enqueue comes after collect). Rows that are all greedy without a penalty
  /// take GreedyRows (the same tokens, many CTAs per row).
  Status enqueue(CUdeviceptr logits, const SamplerRows &rows, const Stream &stream);
  /// The tokens of the last enqueue, in row order (reads them back and synchronizes `stream`).
  StatusOr<std::vector<TokenId>> collect(const Stream &stream);

  /// Whether a decode graph may sample `rows` itself: there are some, and GreedyRows handles
  /// them all (greedy, no repetition penalty).
  static bool samplesInGraph(const SamplerRows &rows);
  /// Issues the greedy argmax of logits rows [0, rows) (GraphArgmax; a decode graph captures
  /// it after its forward program, for every row of its bucket).
  Status enqueueInGraph(CUdeviceptr logits, int rows, const Stream &stream) const;
  /// The rows a decode graph of `bucketRows` sequences reduces with enqueueInGraph: a bucket's
  /// rows past the sampler's are padding (a step holds at most maxRows rows).
  int inGraphRows(int64_t bucketRows) const;
  /// Instead of enqueue: `rows` (samplesInGraph) were sampled by a launch of enqueueInGraph of
  /// `graphRows` rows on the stream; the next collect returns their tokens. kInvalidArgument
  /// when a row's logitsRow is outside [0, graphRows) — the argmax never reduced it — or
  /// graphRows is outside [1, maxRows].
  Status adoptInGraph(const SamplerRows &rows, int graphRows);

  int vocabSize() const { return vocabSize_; }
  int maxRows() const { return maxRows_; }

private:
  GpuSampler(const Context &context, int vocabSize, int maxRows)
      : context_(context), backend_(context), allocator_(backend_), vocabSize_(vocabSize),
        maxRows_(maxRows) {}
  /// Grows the history buffers (device and pinned staging) to hold `count` ids.
  Status reserveHistory(size_t count);

  const Context &context_;
  CudaMemoryBackend backend_;
  DeviceAllocator allocator_;
  LoadedKernel kernel_;
  DeviceBuffer work_, rows_, out_;
  DeviceBuffer history_; ///< penalty history ids (at least one element), grown as needed
  /// Pinned staging: the rows and history copied in, the tokens copied out.
  std::optional<PinnedHostBuffer> rowsHost_, historyHost_, tokensHost_;
  int vocabSize_, maxRows_;
  int enqueuedRows_ = 0;
  std::unique_ptr<GreedyRows> greedy_;
  std::unique_ptr<GraphArgmax> graphArgmax_;
  /// Who sampled the last enqueued rows.
  enum class Path { kSampler, kGreedy, kInGraph } path_ = Path::kSampler;
  std::vector<int32_t> adoptedLogitsRows_; ///< the adopted rows' logits rows
};

} // namespace loom::rt

// GreedyRows: the GPU sampler's fast path for steps whose rows are all greedy without a
// repetition penalty — each row's argmax over many CTAs (GraphArgmax's kernel, rows by index)
// instead of loom/sampler.cuh's one.
#pragma once

#include "runtime/CUDA/CudaMemory.h"
#include "runtime/CUDA/DeviceAllocator.h"
#include "runtime/CUDA/KernelCompiler.h"
#include "runtime/CUDA/Stream.h"
#include "runtime/Engine/SamplerRows.h"
#include "runtime/Serving/GraphArgmax.h"

#include <memory>
#include <optional>

namespace loom::rt {

/// How it works: one pinned upload carries the rows' logits indices; GraphArgmax::enqueueRows
/// reduces each row over many CTAs and writes its token into pinned host memory, where tokens()
/// reads it — no zeroed slots to upload and no copy back.
class GreedyRows {
public:
  /// Compiles and loads the kernel; `context` must outlive the object.
  static StatusOr<std::unique_ptr<GreedyRows>> create(const Context &context,
                                                      KernelCompiler &compiler, int vocabSize,
                                                      int maxRows);

  /// Whether every row is greedy (temperature 0) without a repetition penalty.
  static bool handles(const SamplerRows &rows);

  /// Issues the argmax of `rows` (at most maxRows, all handled) of the f32 logits [*, vocab] at
  /// `logits` on `stream`; kInvalidArgument when a row's logitsRow is outside [0, maxRows)
  /// (checkLogitsRows).
  Status enqueue(CUdeviceptr logits, const SamplerRows &rows, const Stream &stream);
  /// After `stream` has passed the enqueue: the tokens of its rows, in row order.
  std::vector<TokenId> tokens() const;

private:
  GreedyRows(const Context &context, int maxRows)
      : backend_(context), allocator_(backend_), maxRows_(maxRows) {}

  CudaMemoryBackend backend_;
  DeviceAllocator allocator_;
  std::unique_ptr<GraphArgmax> argmax_;
  /// [maxRows] i32 logits rows, on the device and staged in pinned memory.
  DeviceBuffer logitsRows_;
  std::optional<PinnedHostBuffer> staging_;
  int maxRows_;
  int enqueuedRows_ = 0;
};

} // namespace loom::rt

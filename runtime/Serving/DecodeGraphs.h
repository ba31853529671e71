// DecodeGraphs: a package's launch program captured as one CUDA graph per decode bucket.
#pragma once

#include "runtime/CUDA/Graph.h"
#include "runtime/Package/PackageExecutor.h"
#include "runtime/Serving/StepUploads.h"

#include <map>

namespace loom::rt {

/// How it works: the first step of a bucket runs the program eagerly (that is the step's
/// result, and it sets every kernel's launch attributes), then captures the same launches for
/// the bucket's dims into a graph; later steps of that bucket replay it. Each run starts with
/// the copies of the step's inputs from `uploads`' pinned staging to the executor's static
/// input buffers (the graph holds them too: a step stages its inputs on the host and launches
/// one graph); the program writes the shared arena and KV pool, so all graphs use the one
/// memory plan. Graph memory is what the device's free memory dropped by while instantiating.
class DecodeGraphs {
public:
  DecodeGraphs(PackageExecutor &executor, const Stream &stream, const StepUploads &uploads)
      : executor_(executor), stream_(stream), uploads_(uploads) {}

  /// Copies the staged inputs and runs the program for `dims` (the bucket's padded dims, which
  /// the staged inputs must match) through the graph of `bucket`.
  Status run(int bucket, const DimValues &dims);

  size_t numGraphs() const { return graphs_.size(); }
  uint64_t memoryBytes() const { return memoryBytes_; }
  int64_t replays() const { return replays_; }

private:
  StatusOr<GraphExec> capture(const DimValues &dims);

  PackageExecutor &executor_;
  const Stream &stream_;
  const StepUploads &uploads_;
  std::map<int, GraphExec> graphs_;
  uint64_t memoryBytes_ = 0;
  int64_t replays_ = 0;
};

} // namespace loom::rt

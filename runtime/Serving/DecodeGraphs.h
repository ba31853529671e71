// DecodeGraphs: a package's launch program captured as one CUDA graph per decode bucket.
#pragma once

#include "runtime/CUDA/Graph.h"
#include "runtime/Package/PackageExecutor.h"

#include <map>

namespace loom::rt {

/// How it works: the first step of a bucket runs the program eagerly (that is the step's
/// result, and it sets every kernel's launch attributes), then captures the same launches for
/// the bucket's dims into a graph; later steps of that bucket replay it. The program reads its
/// inputs from the executor's static input buffers and writes the shared arena and KV pool, so
/// all graphs use the one memory plan, and copying new inputs before a replay is all a step
/// needs. Graph memory is what the device's free memory dropped by while instantiating.
class DecodeGraphs {
public:
  DecodeGraphs(PackageExecutor &executor, const Stream &stream)
      : executor_(executor), stream_(stream) {}

  /// Runs the program for `dims` (the bucket's padded dims) through the graph of `bucket`.
  Status run(int bucket, const DimValues &dims);

  size_t numGraphs() const { return graphs_.size(); }
  uint64_t memoryBytes() const { return memoryBytes_; }
  int64_t replays() const { return replays_; }

private:
  StatusOr<GraphExec> capture(const DimValues &dims);

  PackageExecutor &executor_;
  const Stream &stream_;
  std::map<int, GraphExec> graphs_;
  uint64_t memoryBytes_ = 0;
  int64_t replays_ = 0;
};

} // namespace loom::rt

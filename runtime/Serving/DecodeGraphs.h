// DecodeGraphs: a package's launch program captured as one CUDA graph per decode bucket.
#pragma once

#include "runtime/CUDA/Graph.h"
#include "runtime/Package/PackageExecutor.h"
#include "runtime/Serving/StepUploads.h"

#include <functional>
#include <map>
#include <utility>

namespace loom::rt {

/// How it works: the first step of a bucket runs the program eagerly (that is the step's
/// result, and it sets every kernel's launch attributes), then captures the same launches for
/// the bucket's dims into a graph; later steps of that bucket replay it. Each run starts with
/// the copies of the step's inputs from `uploads`' pinned staging to the executor's static
/// input buffers (the graph holds them too: a step stages its inputs on the host and launches
/// one graph); the program writes the shared arena and KV pool, so all graphs use the one
/// memory plan. Graph memory is what the device's free memory dropped by while instantiating.
/// A bucket may have a second graph that also holds the `tail` (the greedy argmax): which one a
/// step replays is the caller's choice per step.
class DecodeGraphs {
public:
  /// Work issued on a stream after the program, for a bucket's dims (captured with it).
  using Tail = std::function<Status(const Stream &, const DimValues &)>;

  DecodeGraphs(PackageExecutor &executor, const Stream &stream, const StepUploads &uploads,
               Tail tail = {})
      : executor_(executor), stream_(stream), uploads_(uploads), tail_(std::move(tail)) {}

  /// Copies the staged inputs and runs the program for `dims` (the bucket's padded dims, which
  /// the staged inputs must match) through the graph of `bucket`; with `withTail`, the graph
  /// that runs the tail after the program (kInvalidArgument when there is no tail).
  Status run(int bucket, const DimValues &dims, bool withTail = false);
  bool hasTail() const { return static_cast<bool>(tail_); }

  size_t numGraphs() const { return graphs_.size(); }
  uint64_t memoryBytes() const { return memoryBytes_; }
  int64_t replays() const { return replays_; }

private:
  /// The step's stream work: input copies, program, and the tail when asked.
  Status enqueueStep(const DimValues &dims, bool withTail);
  StatusOr<GraphExec> capture(const DimValues &dims, bool withTail);

  PackageExecutor &executor_;
  const Stream &stream_;
  const StepUploads &uploads_;
  Tail tail_;
  std::map<std::pair<int, bool>, GraphExec> graphs_; ///< by (bucket, with the tail)
  uint64_t memoryBytes_ = 0;
  int64_t replays_ = 0;
};

} // namespace loom::rt

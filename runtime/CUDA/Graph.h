// Graph and GraphExec: capture a stream's work into a CUDA graph, instantiate it, replay it,
// and update the instantiated graph when only kernel arguments change.
#pragma once

#include "runtime/CUDA/Launch.h"
#include "runtime/CUDA/Stream.h"

#include <vector>

namespace loom::rt {

/// A captured (not yet executable) CUDA graph.
class Graph {
public:
  Graph(Graph &&other) noexcept;
  Graph &operator=(Graph &&other) noexcept;
  ~Graph();

  CUgraph handle() const { return graph_; }
  /// The kernel nodes in the graph's node order (capture order for a linear stream).
  StatusOr<std::vector<CUgraphNode>> kernelNodes() const;

private:
  friend StatusOr<Graph> endCapture(const Stream &stream);
  friend class GraphExec;
  Graph() = default;
  Graph(const Context *context, CUgraph graph) : context_(context), graph_(graph) {}
  const Context *context_ = nullptr;
  CUgraph graph_ = nullptr;
};

/// Starts capturing `stream` (thread-local mode): work issued to it is recorded, not run.
Status beginCapture(const Stream &stream);
/// Ends the capture and returns what was recorded.
StatusOr<Graph> endCapture(const Stream &stream);

/// An instantiated graph; owns the Graph it came from (its nodes address kernel updates).
class GraphExec {
public:
  static StatusOr<GraphExec> instantiate(Graph graph);
  GraphExec(GraphExec &&other) noexcept;
  GraphExec &operator=(GraphExec &&other) noexcept;
  ~GraphExec();

  Status launch(const Stream &stream) const;

  /// Updates in place to `graph` (same topology, e.g. the same work captured with new kernel
  /// arguments) with cuGraphExecUpdate. kInvalidArgument, leaving this graph unchanged, when the
  /// driver refuses (topology or node kind changed); re-instantiate then. Node identities (for
  /// setKernelArgs) stay those of the originally instantiated graph.
  Status update(Graph graph);

  /// Replaces the arguments of the `kernelIndex`-th kernel node (capture order), keeping its
  /// function, grid, block and shared memory.
  Status setKernelArgs(size_t kernelIndex, KernelArgs &args);

  size_t kernelCount() const { return kernelNodes_.size(); }

private:
  GraphExec(Graph graph, CUgraphExec exec, std::vector<CUgraphNode> nodes)
      : graph_(std::move(graph)), exec_(exec), kernelNodes_(std::move(nodes)) {}
  void destroy();

  Graph graph_;
  CUgraphExec exec_ = nullptr;
  std::vector<CUgraphNode> kernelNodes_;
};

} // namespace loom::rt

// Stream capture, instantiation, replay and update.
#include "runtime/CUDA/Graph.h"

#include "runtime/CUDA/CuCheck.h"

#include <fmt/format.h>

#include <utility>

namespace loom::rt {

Graph::Graph(Graph &&other) noexcept { *this = std::move(other); }

Graph &Graph::operator=(Graph &&other) noexcept {
  if (this != &other) {
    if (graph_)
      context_->api().cuGraphDestroy(graph_);
    context_ = std::exchange(other.context_, nullptr);
    graph_ = std::exchange(other.graph_, nullptr);
  }
  return *this;
}

Graph::~Graph() {
  if (graph_)
    context_->api().cuGraphDestroy(graph_);
}

StatusOr<std::vector<CUgraphNode>> Graph::kernelNodes() const {
  const DriverApi &cu = context_->api();
  size_t count = 0;
  LOOM_CU_CHECK(cu.cuGraphGetNodes(graph_, nullptr, &count));
  std::vector<CUgraphNode> nodes(count);
  LOOM_CU_CHECK(cu.cuGraphGetNodes(graph_, nodes.data(), &count));
  std::vector<CUgraphNode> kernels;
  for (CUgraphNode node : nodes) {
    CUgraphNodeType type;
    LOOM_CU_CHECK(cu.cuGraphNodeGetType(node, &type));
    if (type == CU_GRAPH_NODE_TYPE_KERNEL)
      kernels.push_back(node);
  }
  return kernels;
}

Status beginCapture(const Stream &stream) {
  const DriverApi &cu = stream.context().api();
  LOOM_CU_CHECK(cu.cuStreamBeginCapture(stream.handle(), CU_STREAM_CAPTURE_MODE_THREAD_LOCAL));
  return Status::ok();
}

StatusOr<Graph> endCapture(const Stream &stream) {
  const DriverApi &cu = stream.context().api();
  CUgraph graph = nullptr;
  LOOM_CU_CHECK(cu.cuStreamEndCapture(stream.handle(), &graph));
  return Graph(&stream.context(), graph);
}

StatusOr<GraphExec> GraphExec::instantiate(Graph graph) {
  const DriverApi &cu = graph.context_->api();
  LOOM_ASSIGN_OR_RETURN(std::vector<CUgraphNode> nodes, graph.kernelNodes());
  CUgraphExec exec = nullptr;
  LOOM_CU_CHECK(cu.cuGraphInstantiate(&exec, graph.handle(), 0));
  return GraphExec(std::move(graph), exec, std::move(nodes));
}

GraphExec::GraphExec(GraphExec &&other) noexcept { *this = std::move(other); }

GraphExec &GraphExec::operator=(GraphExec &&other) noexcept {
  if (this != &other) {
    destroy();
    graph_ = std::move(other.graph_);
    exec_ = std::exchange(other.exec_, nullptr);
    kernelNodes_ = std::move(other.kernelNodes_);
  }
  return *this;
}

GraphExec::~GraphExec() { destroy(); }

void GraphExec::destroy() {
  if (exec_)
    graph_.context_->api().cuGraphExecDestroy(exec_);
  exec_ = nullptr;
}

Status GraphExec::launch(const Stream &stream) const {
  const DriverApi &cu = stream.context().api();
  LOOM_CU_CHECK(cu.cuGraphLaunch(exec_, stream.handle()));
  return Status::ok();
}

Status GraphExec::update(Graph graph) {
  const DriverApi &cu = graph.context_->api();
  CUgraphExecUpdateResultInfo info{};
  CUresult result = cu.cuGraphExecUpdate(exec_, graph.handle(), &info);
  if (result == CUDA_ERROR_GRAPH_EXEC_UPDATE_FAILURE)
    return Status(StatusCode::kInvalidArgument,
                  fmt::format("the CUDA graph cannot be updated in place (update result {}); "
                              "instantiate the new graph instead",
                              static_cast<int>(info.result)));
  if (result != CUDA_SUCCESS)
    return cuResultStatus(cu, result, "cuGraphExecUpdate", __func__, __FILE__, __LINE__);
  return Status::ok();
}

Status GraphExec::setKernelArgs(size_t kernelIndex, KernelArgs &args) {
  if (kernelIndex >= kernelNodes_.size())
    return Status(StatusCode::kInvalidArgument,
                  fmt::format("kernel node {} does not exist; the graph has {}", kernelIndex,
                              kernelNodes_.size()));
  const DriverApi &cu = graph_.context_->api();
  CUDA_KERNEL_NODE_PARAMS params{};
  LOOM_CU_CHECK(cu.cuGraphKernelNodeGetParams(kernelNodes_[kernelIndex], &params));
  params.kernelParams = args.data();
  params.extra = nullptr;
  LOOM_CU_CHECK(cu.cuGraphExecKernelNodeSetParams(exec_, kernelNodes_[kernelIndex], &params));
  return Status::ok();
}

} // namespace loom::rt

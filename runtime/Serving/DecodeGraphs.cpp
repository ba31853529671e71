// DecodeGraphs: eager first run, capture, replay.
#include "runtime/Serving/DecodeGraphs.h"

#include "runtime/CUDA/CuCheck.h"

namespace loom::rt {

namespace {
StatusOr<size_t> freeDeviceBytes(const Context &context) {
  const DriverApi &cu = context.api();
  size_t free = 0, total = 0;
  LOOM_CU_CHECK(cu.cuMemGetInfo(&free, &total));
  return free;
}
} // namespace

Status DecodeGraphs::run(int bucket, const DimValues &dims, bool withTail) {
  if (withTail && !tail_)
    return LOOM_ERROR(StatusCode::kInvalidArgument, "these decode graphs have no tail to run");
  auto it = graphs_.find({bucket, withTail});
  if (it != graphs_.end()) {
    ++replays_;
    return it->second.launch(stream_);
  }
  LOOM_RETURN_IF_ERROR(enqueueStep(dims, withTail));
  LOOM_RETURN_IF_ERROR(stream_.synchronize());
  LOOM_ASSIGN_OR_RETURN(size_t freeBefore, freeDeviceBytes(stream_.context()));
  LOOM_ASSIGN_OR_RETURN(GraphExec graph, capture(dims, withTail));
  LOOM_ASSIGN_OR_RETURN(size_t freeAfter, freeDeviceBytes(stream_.context()));
  memoryBytes_ += freeBefore > freeAfter ? freeBefore - freeAfter : 0;
  graphs_.emplace(std::pair{bucket, withTail}, std::move(graph));
  return Status::ok();
}

Status DecodeGraphs::enqueueStep(const DimValues &dims, bool withTail) {
  LOOM_RETURN_IF_ERROR(uploads_.enqueue(stream_));
  LOOM_RETURN_IF_ERROR(executor_.run(dims, stream_));
  return withTail ? tail_(stream_, dims) : Status::ok();
}

StatusOr<GraphExec> DecodeGraphs::capture(const DimValues &dims, bool withTail) {
  LOOM_RETURN_IF_ERROR(beginCapture(stream_));
  Status launched = enqueueStep(dims, withTail);
  StatusOr<Graph> graph = endCapture(stream_); // always end the capture, even after an error
  LOOM_RETURN_IF_ERROR(launched);
  if (!graph.isOk())
    return graph.status();
  return GraphExec::instantiate(std::move(graph).value());
}

} // namespace loom::rt

// graph-plan-memory: arena offsets for the activations of a forward function, by liveness.
#include "compiler/Transforms/Graph/ArenaPlanner.h"
#include "compiler/Transforms/Graph/DimBounds.h"
#include "compiler/Transforms/Graph/Passes.h"
#include "dialects/Graph/IR/GraphOps.h"

#include "mlir/IR/Builders.h"

namespace loom::graph {

#define GEN_PASS_DEF_GRAPHPLANMEMORYPASS
#include "compiler/Transforms/Graph/Passes.h.inc"

namespace {

/// One activation buffer: the value defining it, its live range and its bounded shape.
struct Buffer {
  mlir::Value value;
  int64_t bytes;
  int64_t first;
  int64_t last;
  const ShapeBound *shape;
};

int64_t boundedBytes(mlir::RankedTensorType type, const ShapeBound &shape) {
  int64_t elements = 1;
  for (const DimBound &dim : shape)
    elements *= dim.bound;
  return elements * ((type.getElementTypeBitWidth() + 7) / 8);
}

struct GraphPlanMemoryPass final : impl::GraphPlanMemoryPassBase<GraphPlanMemoryPass> {
  using GraphPlanMemoryPassBase::GraphPlanMemoryPassBase;

  void runOnOperation() override {
    mlir::func::FuncOp function = getOperation();
    if (function.isExternal())
      return;
    if (alignment <= 0) {
      function.emitError() << "alignment must be positive, got " << alignment;
      return signalPassFailure();
    }
    mlir::FailureOr<DimBounds> bounds = DimBounds::compute(function);
    if (mlir::failed(bounds))
      return signalPassFailure();

    std::vector<Buffer> buffers;
    llvm::DenseMap<mlir::Value, size_t> bufferOf;
    int64_t position = 0;
    for (mlir::Operation &op : function.getBody().front()) {
      for (mlir::Value operand : op.getOperands())
        if (auto it = bufferOf.find(operand); it != bufferOf.end())
          buffers[it->second].last = position;
      for (mlir::Value result : op.getResults()) {
        auto type = mlir::dyn_cast<mlir::RankedTensorType>(result.getType());
        if (!type || mlir::isa<WeightOp>(op))
          continue;
        if (mlir::isa<ReshapeOp, SplitOp, RopeOp>(op)) {
          if (auto it = bufferOf.find(op.getOperand(0)); it != bufferOf.end())
            bufferOf[result] = it->second;
          continue;
        }
        const ShapeBound *shape = bounds->lookup(result);
        bufferOf[result] = buffers.size();
        buffers.push_back({result, boundedBytes(type, *shape), position, position, shape});
      }
      ++position;
    }

    std::vector<BufferRequest> requests;
    for (const Buffer &buffer : buffers)
      requests.push_back({buffer.bytes, buffer.first, buffer.last});
    ArenaPlan plan = planArena(requests, alignment);
    annotate(function, buffers, bufferOf, plan);
  }

  static std::string bufferId(size_t index) { return "v" + std::to_string(index); }

  void annotate(mlir::func::FuncOp function, const std::vector<Buffer> &buffers,
                const llvm::DenseMap<mlir::Value, size_t> &bufferOf, const ArenaPlan &plan) {
    mlir::Builder builder(function.getContext());
    llvm::SmallVector<mlir::Attribute> entries;
    for (auto [index, buffer] : llvm::enumerate(buffers)) {
      llvm::SmallVector<mlir::Attribute> shape;
      for (const DimBound &dim : *buffer.shape)
        shape.push_back(builder.getStringAttr(dim.name));
      entries.push_back(builder.getDictionaryAttr({
          builder.getNamedAttr("id", builder.getStringAttr(bufferId(index))),
          builder.getNamedAttr("offset", builder.getI64IntegerAttr(plan.offsets[index])),
          builder.getNamedAttr("bytes", builder.getI64IntegerAttr(buffer.bytes)),
          builder.getNamedAttr("first", builder.getI64IntegerAttr(buffer.first)),
          builder.getNamedAttr("last", builder.getI64IntegerAttr(buffer.last)),
          builder.getNamedAttr("shape", builder.getArrayAttr(shape)),
      }));
    }
    function->setAttr("loom.buffer_plan", builder.getArrayAttr(entries));
    function->setAttr("loom.arena_bytes", builder.getI64IntegerAttr(plan.arenaBytes));
    function->setAttr("loom.arena_alignment", builder.getI64IntegerAttr(alignment));

    for (mlir::Operation &op : function.getBody().front()) {
      llvm::SmallVector<mlir::Attribute> ids;
      bool any = false;
      for (mlir::Value result : op.getResults()) {
        auto it = bufferOf.find(result);
        any |= it != bufferOf.end();
        ids.push_back(builder.getStringAttr(it != bufferOf.end() ? bufferId(it->second) : ""));
      }
      if (any)
        op.setAttr("loom.buffers", builder.getArrayAttr(ids));
    }
  }
};

} // namespace
} // namespace loom::graph

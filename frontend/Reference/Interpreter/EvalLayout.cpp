// Evaluators of weights, layout ops and graph.fused regions.
#include "frontend/Reference/Interpreter/EvaluatorTable.h"
#include "frontend/Reference/Layout.h"

#include "dialects/Graph/IR/GraphOps.h"

namespace loom::ref {
namespace {

using Results = StatusOr<std::vector<RuntimeValue>>;

/// The result shape of a reshape: static extents as written, the dynamic one (at most one, by
/// the verifier) as -1 for reshape() to infer.
Shape reshapeTarget(graph::ReshapeOp op) {
  Shape shape;
  for (int64_t extent : op.getResult().getType().getShape())
    shape.push_back(mlir::ShapedType::isDynamic(extent) ? -1 : extent);
  return shape;
}

} // namespace

void addLayoutEvaluators(EvaluatorTable &table) {
  addEvaluator<graph::WeightOp>(table, [](graph::WeightOp op, const Operands &, EvalContext &context) {
    return oneResult(context.weight(*op.getOperation()));
  });
  addEvaluator<graph::ReshapeOp>(table, [](graph::ReshapeOp op, const Operands &in, EvalContext &) {
    return oneResult(reshape(in.tensor(0), reshapeTarget(op)));
  });
  addEvaluator<graph::TransposeOp>(table, [](graph::TransposeOp op, const Operands &in, EvalContext &) {
    return oneResult(transpose(in.tensor(0), op.getPermutation()));
  });
  addEvaluator<graph::ConcatOp>(table, [](graph::ConcatOp op, const Operands &in, EvalContext &) {
    return oneResult(concat(in.tensorsFrom(0), static_cast<int64_t>(op.getAxis())));
  });
  addEvaluator<graph::SplitOp>(table, [](graph::SplitOp op, const Operands &in, EvalContext &) -> Results {
    std::vector<int64_t> sizes;
    for (mlir::Value piece : op.getResults())
      sizes.push_back(mlir::cast<mlir::RankedTensorType>(piece.getType()).getDimSize(op.getAxis()));
    LOOM_ASSIGN_OR_RETURN(std::vector<HostTensor> pieces,
                          split(in.tensor(0), static_cast<int64_t>(op.getAxis()), sizes));
    return std::vector<RuntimeValue>(std::make_move_iterator(pieces.begin()),
                                     std::make_move_iterator(pieces.end()));
  });
  addEvaluator<graph::FusedOp>(table, [](graph::FusedOp op, const Operands &in, EvalContext &context) -> Results {
    std::vector<RuntimeValue> arguments;
    for (size_t i = 0; i < in.size(); ++i) {
      if (HostKVCache *cache = in.cache(i))
        arguments.emplace_back(cache);
      else
        arguments.emplace_back(in.tensor(i));
    }
    return context.runBlock(op.getBody().front(), std::move(arguments));
  });
}

} // namespace loom::ref

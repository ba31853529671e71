// Evaluators of the graph dialect's math ops: elementwise, norms, products, gathers, sampling.
#include "frontend/Reference/Elementwise.h"
#include "frontend/Reference/Embedding.h"
#include "frontend/Reference/Gemm.h"
#include "frontend/Reference/Interpreter/EvaluatorTable.h"
#include "frontend/Reference/Interpreter/MlirTypes.h"
#include "frontend/Reference/Norms.h"
#include "frontend/Reference/Reductions.h"
#include "frontend/Reference/Sample.h"

#include "dialects/Graph/IR/GraphOps.h"

namespace loom::ref {
namespace {

using Results = StatusOr<std::vector<RuntimeValue>>;

/// The result element type of a one-result op.
StatusOr<ElementType> resultElementType(mlir::Operation *op) {
  return elementTypeOf(mlir::cast<mlir::ShapedType>(op->getResult(0).getType()).getElementType());
}

/// An index tensor re-typed to `type` (argmax computes i32; the op may ask for i64).
StatusOr<HostTensor> asIndexType(StatusOr<HostTensor> indices, ElementType type) {
  if (!indices.isOk() || indices->type() == type)
    return indices;
  return HostTensor::fromInts(type, indices->shape(),
                              std::vector<int64_t>(indices->ints().begin(), indices->ints().end()));
}

} // namespace

void addMathEvaluators(EvaluatorTable &table) {
  addEvaluator<graph::AddOp>(table, [](graph::AddOp, const Operands &in, EvalContext &) {
    return oneResult(add(in.tensor(0), in.tensor(1)));
  });
  addEvaluator<graph::MulOp>(table, [](graph::MulOp, const Operands &in, EvalContext &) {
    return oneResult(mul(in.tensor(0), in.tensor(1)));
  });
  addEvaluator<graph::SiluOp>(table, [](graph::SiluOp, const Operands &in, EvalContext &) {
    return oneResult(silu(in.tensor(0)));
  });
  addEvaluator<graph::GeluOp>(table, [](graph::GeluOp op, const Operands &in, EvalContext &) {
    bool tanh = op.getApproximate() == graph::GeluApproximation::tanh;
    return oneResult(gelu(in.tensor(0), tanh ? GeluApproximation::kTanh : GeluApproximation::kNone));
  });
  addEvaluator<graph::CastOp>(table, [](graph::CastOp op, const Operands &in, EvalContext &) -> Results {
    LOOM_ASSIGN_OR_RETURN(ElementType to, resultElementType(op));
    return oneResult(cast(in.tensor(0), to));
  });
  addEvaluator<graph::SoftmaxOp>(table, [](graph::SoftmaxOp, const Operands &in, EvalContext &) {
    return oneResult(softmax(in.tensor(0)));
  });
  addEvaluator<graph::ArgmaxOp>(table, [](graph::ArgmaxOp op, const Operands &in, EvalContext &) -> Results {
    LOOM_ASSIGN_OR_RETURN(ElementType type, resultElementType(op));
    return oneResult(asIndexType(argmax(in.tensor(0)), type));
  });
  addEvaluator<graph::RMSNormOp>(table, [](graph::RMSNormOp op, const Operands &in, EvalContext &) {
    return oneResult(rmsNorm(in.tensor(0), in.tensor(1), op.getEps().convertToFloat()));
  });
  addEvaluator<graph::LayerNormOp>(table, [](graph::LayerNormOp op, const Operands &in, EvalContext &) {
    const HostTensor *bias = op.getBias() ? &in.tensor(2) : nullptr;
    return oneResult(layerNorm(in.tensor(0), in.tensor(1), bias, op.getEps().convertToFloat()));
  });
  addEvaluator<graph::LinearOp>(table, [](graph::LinearOp op, const Operands &in, EvalContext &context) {
    const HostTensor *bias = op.getBias() ? &in.tensor(2) : nullptr;
    return oneResult(linear(in.tensor(0), in.tensor(1), bias, context.pool));
  });
  addEvaluator<graph::MatmulOp>(table, [](graph::MatmulOp, const Operands &in, EvalContext &context) {
    return oneResult(matmul(in.tensor(0), in.tensor(1), context.pool));
  });
  addEvaluator<graph::EmbeddingOp>(table, [](graph::EmbeddingOp, const Operands &in, EvalContext &) {
    return oneResult(embedding(in.tensor(0), in.tensor(1)));
  });
  addEvaluator<graph::SampleOp>(table, [](graph::SampleOp, const Operands &in, EvalContext &) {
    return oneResult(sample(in.tensor(0), in.tensor(1), in.tensor(2), in.tensor(3), in.tensor(4),
                            in.tensor(5)));
  });
}

} // namespace loom::ref

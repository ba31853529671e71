// Builder: gathers, matrix products and norms.
#include "frontend/Builder/BuilderCreate.h"
#include "dialects/Graph/IR/GraphOps.h"

namespace loom {

Tensor Builder::embedding(Tensor table, Tensor ids) {
  std::initializer_list<mlir::Value> operands = {table.value(), ids.value()};
  if (!ready("graph.embedding", operands) ||
      !check(table.rank() == 2, "graph.embedding", operands, "table must be 2-D [rows, features]") ||
      !check(ids.rank() == 1, "graph.embedding", operands, "ids must be 1-D"))
    return {};
  return build<graph::EmbeddingOp>(operands, table.value(), ids.value());
}

Tensor Builder::linear(Tensor x, Tensor w) {
  std::initializer_list<mlir::Value> operands = {x.value(), w.value()};
  if (!ready("graph.linear", operands) ||
      !check(w.rank() == 2, "graph.linear", operands, "weight must be 2-D [out, in]"))
    return {};
  return build<graph::LinearOp>(operands, x.value(), w.value());
}

Tensor Builder::linear(Tensor x, Tensor w, Tensor bias) {
  std::initializer_list<mlir::Value> operands = {x.value(), w.value(), bias.value()};
  if (!ready("graph.linear", operands) ||
      !check(w.rank() == 2, "graph.linear", operands, "weight must be 2-D [out, in]"))
    return {};
  return build<graph::LinearOp>(operands, x.value(), w.value(), bias.value());
}

Tensor Builder::matmul(Tensor a, Tensor b) {
  std::initializer_list<mlir::Value> operands = {a.value(), b.value()};
  if (!ready("graph.matmul", operands) ||
      !check(a.rank() >= 2 && a.rank() == b.rank(), "graph.matmul", operands,
             "operands must have the same rank of at least 2"))
    return {};
  return build<graph::MatmulOp>(operands, a.value(), b.value());
}

Tensor Builder::rmsNorm(Tensor x, Tensor w, float eps) {
  return build<graph::RMSNormOp>({x.value(), w.value()}, x.value(), w.value(), eps);
}

Tensor Builder::layerNorm(Tensor x, Tensor w, float eps) {
  return build<graph::LayerNormOp>({x.value(), w.value()}, x.type(), x.value(), w.value(),
                                   mlir::Value(), builder_.getF32FloatAttr(eps));
}

Tensor Builder::layerNorm(Tensor x, Tensor w, Tensor bias, float eps) {
  return build<graph::LayerNormOp>({x.value(), w.value(), bias.value()}, x.type(), x.value(),
                                   w.value(), bias.value(), builder_.getF32FloatAttr(eps));
}

} // namespace loom

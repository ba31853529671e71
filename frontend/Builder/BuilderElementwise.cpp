// Builder: elementwise ops, softmax and argmax.
#include "frontend/Builder/BuilderCreate.h"
#include "dialects/Graph/IR/GraphOps.h"

#include <fmt/format.h>

namespace loom {

Tensor Builder::add(Tensor lhs, Tensor rhs) {
  return build<graph::AddOp>({lhs.value(), rhs.value()}, lhs.type(), lhs.value(), rhs.value());
}

Tensor Builder::mul(Tensor lhs, Tensor rhs) {
  return build<graph::MulOp>({lhs.value(), rhs.value()}, lhs.type(), lhs.value(), rhs.value());
}

Tensor Builder::silu(Tensor x) {
  return build<graph::SiluOp>({x.value()}, x.type(), x.value());
}

Tensor Builder::gelu(Tensor x, GeluApproximation approximation) {
  auto graphApproximation = approximation == GeluApproximation::tanh
                                ? graph::GeluApproximation::tanh
                                : graph::GeluApproximation::none;
  return build<graph::GeluOp>({x.value()}, x.type(), x.value(), graphApproximation);
}

Tensor Builder::cast(Tensor x, DType dtype) {
  if (!ready("graph.cast", {x.value()}))
    return {};
  if (!check(isFloatDType(dtype), "graph.cast", {x.value()},
             fmt::format("casts convert between bf16, f16 and f32, not to {}", dtypeName(dtype))))
    return {};
  if (x.dtype() == dtype && isFloatDType(x.dtype()))
    return x;
  auto type = mlir::RankedTensorType::get(x.type().getShape(), toMlirType(dtype, context_));
  return build<graph::CastOp>({x.value()}, type, x.value());
}

Tensor Builder::softmax(Tensor x) {
  return build<graph::SoftmaxOp>({x.value()}, x.type(), x.value());
}

Tensor Builder::argmax(Tensor x) {
  if (!ready("graph.argmax", {x.value()}) ||
      !check(x.rank() >= 1, "graph.argmax", {x.value()}, "input must have at least one dimension"))
    return {};
  std::vector<int64_t> shape = x.shape();
  shape.pop_back();
  auto type = mlir::RankedTensorType::get(shape, builder_.getI32Type());
  return build<graph::ArgmaxOp>({x.value()}, type, x.value());
}

} // namespace loom

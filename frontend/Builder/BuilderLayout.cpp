// Builder: reshape, transpose, concat and split.
#include "frontend/Builder/BuilderCreate.h"
#include "dialects/Graph/IR/GraphOps.h"

#include <fmt/format.h>

#include <algorithm>
#include <numeric>

namespace loom {

Tensor Builder::reshape(Tensor x, const std::vector<int64_t> &shape) {
  bool extentsValid = !shape.empty() && std::all_of(shape.begin(), shape.end(), [](int64_t d) {
    return d > 0 || d == Tensor::kDynamic;
  });
  if (!ready("graph.reshape", {x.value()}) ||
      !check(extentsValid, "graph.reshape", {x.value()},
             fmt::format("target shape [{}] needs at least one dimension, each positive or "
                         "Tensor::kDynamic", fmt::join(shape, ", "))))
    return {};
  auto type = mlir::RankedTensorType::get(shape, x.type().getElementType());
  return build<graph::ReshapeOp>({x.value()}, type, x.value());
}

Tensor Builder::transpose(Tensor x, const std::vector<int64_t> &permutation) {
  std::vector<int64_t> sorted = permutation;
  std::sort(sorted.begin(), sorted.end());
  std::vector<int64_t> identity(x.rank());
  std::iota(identity.begin(), identity.end(), 0);
  if (!ready("graph.transpose", {x.value()}) ||
      !check(sorted == identity, "graph.transpose", {x.value()},
             fmt::format("permutation [{}] must list each of 0..{} once",
                         fmt::join(permutation, ", "), x.rank() - 1)))
    return {};
  std::vector<int64_t> shape;
  for (int64_t p : permutation)
    shape.push_back(x.dim(p));
  auto type = mlir::RankedTensorType::get(shape, x.type().getElementType());
  return build<graph::TransposeOp>({x.value()}, type, x.value(), permutation);
}

Tensor Builder::concat(const std::vector<Tensor> &inputs, int64_t axis) {
  std::vector<mlir::Value> values;
  for (const Tensor &input : inputs)
    values.push_back(input.value());
  if (!ready("graph.concat", values) ||
      !check(!inputs.empty(), "graph.concat", values, "needs at least one input"))
    return {};
  int64_t rank = inputs.front().rank();
  std::optional<int64_t> dim = normalizeAxis(axis, rank);
  bool sameRank = std::all_of(inputs.begin(), inputs.end(),
                              [&](const Tensor &t) { return t.rank() == rank; });
  if (!check(sameRank, "graph.concat", values, "inputs must have the same rank") ||
      !check(dim.has_value(), "graph.concat", values,
             fmt::format("axis {} is outside the rank {}", axis, rank)))
    return {};
  std::vector<int64_t> shape = inputs.front().shape();
  shape[*dim] = 0;
  for (const Tensor &input : inputs)
    shape[*dim] = input.isDynamic(*dim) || shape[*dim] == Tensor::kDynamic
                      ? Tensor::kDynamic
                      : shape[*dim] + input.dim(*dim);
  auto type = mlir::RankedTensorType::get(shape, inputs.front().type().getElementType());
  return build<graph::ConcatOp>(values, type, mlir::ValueRange(values), *dim);
}

std::vector<Tensor> Builder::split(Tensor x, int64_t axis, const std::vector<int64_t> &sizes) {
  std::vector<Tensor> pieces(sizes.size());
  std::optional<int64_t> dim = normalizeAxis(axis, x.rank());
  bool sizesValid =
      !sizes.empty() && std::all_of(sizes.begin(), sizes.end(), [](int64_t s) { return s > 0; });
  if (!ready("graph.split", {x.value()}) ||
      !check(dim.has_value(), "graph.split", {x.value()},
             fmt::format("axis {} is outside the rank {}", axis, x.rank())) ||
      !check(sizesValid, "graph.split", {x.value()},
             fmt::format("sizes [{}] must be one or more positive extents",
                         fmt::join(sizes, ", "))))
    return pieces;
  std::vector<mlir::Type> types;
  for (int64_t size : sizes) {
    std::vector<int64_t> shape = x.shape();
    shape[*dim] = size;
    types.push_back(mlir::RankedTensorType::get(shape, x.type().getElementType()));
  }
  mlir::Operation *op = create<graph::SplitOp>({x.value()}, types, x.value(), *dim);
  if (op)
    for (size_t i = 0; i < pieces.size(); ++i)
      pieces[i] = Tensor(op->getResult(i));
  return pieces;
}

} // namespace loom

// Reference layout ops: each result element copies one input element found by index arithmetic.
#include "frontend/Reference/Layout.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <functional>
#include <numeric>

namespace loom::ref {
namespace {

Status invalid(std::string message) {
  return LOOM_ERROR(StatusCode::kInvalidArgument, std::move(message));
}

/// Row-major strides of `shape`.
Shape stridesOf(const Shape &shape) {
  Shape strides(shape.size(), 1);
  for (size_t d = shape.size(); d-- > 1;)
    strides[d - 1] = strides[d] * shape[d];
  return strides;
}

/// Multi-index of flat element `flat` of `shape`.
Shape unflatten(int64_t flat, const Shape &shape) {
  Shape index(shape.size(), 0);
  for (size_t d = shape.size(); d-- > 0;) {
    index[d] = flat % shape[d];
    flat /= shape[d];
  }
  return index;
}

/// A tensor of `shape` whose element j is element source(j) of `input`.
HostTensor gather(const HostTensor &input, const Shape &shape,
                  const std::function<int64_t(int64_t)> &source) {
  HostTensor result = HostTensor::zeros(input.type(), shape);
  for (int64_t j = 0; j < result.numElements(); ++j) {
    if (input.isFloat())
      result.floats()[j] = input.floats()[source(j)];
    else
      result.ints()[j] = input.ints()[source(j)];
  }
  return result;
}

} // namespace

StatusOr<HostTensor> reshape(const HostTensor &input, Shape shape) {
  int64_t inferred = -1, known = 1;
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] == -1 && inferred < 0)
      inferred = static_cast<int64_t>(d);
    else if (shape[d] < 0)
      return invalid(fmt::format("reshape target [{}] has a bad extent", fmt::join(shape, ", ")));
    else
      known *= shape[d];
  }
  if (inferred >= 0) {
    if (known == 0 || input.numElements() % known != 0)
      return invalid(fmt::format("reshape cannot infer an extent of [{}] for {}",
                                 fmt::join(shape, ", "), input.typeString()));
    shape[inferred] = input.numElements() / known;
  }
  if (elementCount(shape) != input.numElements())
    return invalid(fmt::format("reshape of {} to {} changes the element count",
                               input.typeString(), shapeString(shape)));
  HostTensor result = input;
  result.setShape(std::move(shape));
  return result;
}

StatusOr<HostTensor> transpose(const HostTensor &input, std::span<const int64_t> permutation) {
  Shape sorted(permutation.begin(), permutation.end());
  std::ranges::sort(sorted);
  Shape identity(static_cast<size_t>(input.rank()));
  std::iota(identity.begin(), identity.end(), 0);
  if (sorted != identity)
    return invalid(fmt::format("transpose permutation [{}] is not a permutation of 0..{}",
                               fmt::join(permutation, ", "), input.rank() - 1));
  Shape shape(permutation.size());
  for (size_t i = 0; i < permutation.size(); ++i)
    shape[i] = input.shape()[permutation[i]];
  Shape inputStrides = stridesOf(input.shape());
  return gather(input, shape, [&](int64_t flat) {
    Shape index = unflatten(flat, shape);
    int64_t offset = 0;
    for (size_t i = 0; i < index.size(); ++i)
      offset += index[i] * inputStrides[permutation[i]];
    return offset;
  });
}

StatusOr<HostTensor> concat(std::span<const HostTensor> inputs, int64_t axis) {
  if (inputs.empty())
    return invalid("concat needs at least one input");
  const HostTensor &first = inputs.front();
  if (axis < 0 || axis >= first.rank())
    return invalid(fmt::format("concat axis {} is outside the rank {}", axis, first.rank()));
  Shape shape = first.shape();
  shape[axis] = 0;
  for (const HostTensor &input : inputs) {
    Shape other = input.shape();
    if (input.type() != first.type() || input.rank() != first.rank())
      return invalid(fmt::format("concat inputs {} and {} differ in rank or type",
                                 first.typeString(), input.typeString()));
    for (int64_t d = 0; d < first.rank(); ++d)
      if (d != axis && other[d] != first.shape()[d])
        return invalid(fmt::format("concat inputs {} and {} differ in dimension {}",
                                   first.typeString(), input.typeString(), d));
    shape[axis] += other[axis];
  }
  HostTensor result = HostTensor::zeros(first.type(), shape);
  Shape resultStrides = stridesOf(shape);
  int64_t axisOffset = 0;
  for (const HostTensor &input : inputs) {
    Shape inputStrides = stridesOf(input.shape());
    for (int64_t j = 0; j < input.numElements(); ++j) {
      Shape index = unflatten(j, input.shape());
      index[axis] += axisOffset;
      int64_t target = std::inner_product(index.begin(), index.end(), resultStrides.begin(),
                                          int64_t{0});
      if (input.isFloat())
        result.floats()[target] = input.floats()[j];
      else
        result.ints()[target] = input.ints()[j];
    }
    axisOffset += input.shape()[axis];
  }
  return result;
}

StatusOr<std::vector<HostTensor>> split(const HostTensor &input, int64_t axis,
                                        std::span<const int64_t> sizes) {
  if (axis < 0 || axis >= input.rank())
    return invalid(fmt::format("split axis {} is outside the rank {}", axis, input.rank()));
  int64_t total = 0;
  for (int64_t size : sizes) {
    if (size < 0)
      return invalid(fmt::format("split size {} is negative", size));
    total += size;
  }
  if (total != input.shape()[axis])
    return invalid(fmt::format("split sizes [{}] sum to {}, the axis of {} has {}",
                               fmt::join(sizes, ", "), total, input.typeString(),
                               input.shape()[axis]));
  Shape inputStrides = stridesOf(input.shape());
  std::vector<HostTensor> pieces;
  int64_t axisOffset = 0;
  for (int64_t size : sizes) {
    Shape shape = input.shape();
    shape[axis] = size;
    pieces.push_back(gather(input, shape, [&](int64_t flat) {
      Shape index = unflatten(flat, shape);
      index[axis] += axisOffset;
      return std::inner_product(index.begin(), index.end(), inputStrides.begin(), int64_t{0});
    }));
    axisOffset += size;
  }
  return pieces;
}

} // namespace loom::ref

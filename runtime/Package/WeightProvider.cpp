// Building a package weight from checkpoint tensors: its recipe evaluated in f32, then converted.
#include "runtime/Package/WeightProvider.h"

#include "runtime/Package/HostConvert.h"

#include <cstring>
#include <fmt/format.h>
#include <fmt/ranges.h>

namespace loom::rt {

namespace {

/// A dense row-major f32 array: a recipe's intermediate value.
struct HostArray {
  std::vector<int64_t> shape;
  std::vector<float> values;
};

int64_t product(const std::vector<int64_t> &shape, size_t from = 0, size_t to = SIZE_MAX) {
  int64_t n = 1;
  for (size_t i = from; i < std::min(to, shape.size()); ++i)
    n *= shape[i];
  return n;
}

Status recipeError(const std::string &weight, const std::string &what) {
  return LOOM_ERROR(StatusCode::kInvalidArgument, fmt::format("weight '{}': {}", weight, what));
}

StatusOr<HostArray> loadTensor(const std::string &name, WeightProvider &provider) {
  LOOM_ASSIGN_OR_RETURN(HostTensorView view, provider.tensor(name));
  if (static_cast<int64_t>(view.data.size()) != product(view.shape) * static_cast<int64_t>(dtypeBytes(view.dtype)))
    return LOOM_ERROR(StatusCode::kInvalidArgument,
                      fmt::format("checkpoint tensor '{}' has {} bytes for shape [{}] of {}", name,
                                  view.data.size(), fmt::join(view.shape, ", "), dtypeName(view.dtype)));
  auto bytes = convertElements(view.data, view.dtype, DType::kF32);
  if (!bytes)
    return bytes.status().withContext(fmt::format("checkpoint tensor '{}'", name));
  HostArray array{view.shape, std::vector<float>(bytes->size() / 4)};
  std::memcpy(array.values.data(), bytes->data(), bytes->size());
  return array;
}

StatusOr<HostArray> concat(std::vector<HostArray> parts, int64_t axisValue, const std::string &weight) {
  size_t rank = parts[0].shape.size();
  if (axisValue < 0 || static_cast<size_t>(axisValue) >= rank)
    return recipeError(weight, fmt::format("concat axis {} is outside rank {}", axisValue, rank));
  size_t axis = static_cast<size_t>(axisValue);
  HostArray out{parts[0].shape, {}};
  out.shape[axis] = 0;
  for (const HostArray &part : parts) {
    bool fits = part.shape.size() == rank;
    for (size_t d = 0; fits && d < rank; ++d)
      fits = d == axis || part.shape[d] == parts[0].shape[d];
    if (!fits)
      return recipeError(weight, fmt::format("concat part of shape [{}] does not fit [{}] along axis {}",
                                             fmt::join(part.shape, ", "), fmt::join(parts[0].shape, ", "), axis));
    out.shape[axis] += part.shape[axis];
  }
  int64_t outer = product(out.shape, 0, axis);
  for (int64_t o = 0; o < outer; ++o)
    for (const HostArray &part : parts) {
      int64_t inner = product(part.shape, axis);
      out.values.insert(out.values.end(), part.values.begin() + o * inner,
                        part.values.begin() + (o + 1) * inner);
    }
  return out;
}

StatusOr<HostArray> transpose(const HostArray &in, const std::vector<int64_t> &perm, const std::string &weight) {
  size_t rank = in.shape.size();
  std::vector<bool> seen(rank, false);
  bool valid = perm.size() == rank;
  for (int64_t p : perm)
    valid = valid && p >= 0 && static_cast<size_t>(p) < rank && !seen[p] && (seen[p] = true);
  if (!valid)
    return recipeError(weight, fmt::format("transpose permutation [{}] does not permute rank {}",
                                           fmt::join(perm, ", "), rank));
  HostArray out{std::vector<int64_t>(rank), std::vector<float>(in.values.size())};
  for (size_t d = 0; d < rank; ++d)
    out.shape[d] = in.shape[perm[d]];
  std::vector<int64_t> inStrides(rank, 1), index(rank, 0);
  for (size_t d = rank; d-- > 1;)
    inStrides[d - 1] = inStrides[d] * in.shape[d];
  for (size_t flat = 0; flat < out.values.size(); ++flat) {
    int64_t source = 0;
    for (size_t d = 0; d < rank; ++d)
      source += index[d] * inStrides[perm[d]];
    out.values[flat] = in.values[source];
    for (size_t d = rank; d-- > 0;) { // advance the output index, last dimension fastest
      if (++index[d] < out.shape[d])
        break;
      index[d] = 0;
    }
  }
  return out;
}

StatusOr<HostArray> scale(HostArray in, const HostArray &vector, int64_t axis, const std::string &weight) {
  if (axis < 0 || static_cast<size_t>(axis) >= in.shape.size() || vector.shape.size() != 1 ||
      vector.shape[0] != in.shape[axis])
    return recipeError(weight, fmt::format("scale by a vector of shape [{}] along axis {} of [{}]",
                                           fmt::join(vector.shape, ", "), axis, fmt::join(in.shape, ", ")));
  int64_t inner = product(in.shape, static_cast<size_t>(axis) + 1), extent = in.shape[axis];
  for (size_t i = 0; i < in.values.size(); ++i)
    in.values[i] *= vector.values[(static_cast<int64_t>(i) / inner) % extent];
  return in;
}

StatusOr<HostArray> evaluate(const WeightRecipe &recipe, WeightProvider &provider, const std::string &weight) {
  if (recipe.kind == WeightRecipe::Kind::kTensor)
    return loadTensor(recipe.tensor, provider);
  std::vector<HostArray> of;
  for (const WeightRecipe &part : recipe.of) {
    LOOM_ASSIGN_OR_RETURN(auto value, evaluate(part, provider, weight));
    of.push_back(std::move(value));
  }
  switch (recipe.kind) {
  case WeightRecipe::Kind::kConcat:
    return concat(std::move(of), recipe.axis, weight);
  case WeightRecipe::Kind::kTranspose:
    return transpose(of[0], recipe.permutation, weight);
  case WeightRecipe::Kind::kScale:
    return scale(std::move(of[0]), of[1], recipe.axis, weight);
  case WeightRecipe::Kind::kCast: {
    auto bytes = convertElements(std::as_bytes(std::span(of[0].values)), DType::kF32, recipe.dtype);
    if (!bytes)
      return bytes.status().withContext(fmt::format("weight '{}'", weight));
    auto back = convertElements(*bytes, recipe.dtype, DType::kF32);
    std::memcpy(of[0].values.data(), back->data(), back->size());
    return std::move(of[0]);
  }
  case WeightRecipe::Kind::kTensor:
    break;
  }
  return LOOM_ERROR(StatusCode::kInternal, "unknown recipe kind");
}

} // namespace

StatusOr<std::vector<std::byte>> materializeWeight(const WeightSpec &spec, WeightProvider &provider) {
  LOOM_ASSIGN_OR_RETURN(HostArray array, evaluate(spec.recipe, provider, spec.name));
  if (array.shape != spec.shape)
    return LOOM_ERROR(StatusCode::kInvalidArgument,
                      fmt::format("weight '{}' has shape [{}], the package expects [{}]", spec.name,
                                  fmt::join(array.shape, ", "), fmt::join(spec.shape, ", ")));
  return convertElements(std::as_bytes(std::span(array.values)), DType::kF32, spec.dtype);
}

} // namespace loom::rt

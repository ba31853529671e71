// Building a package weight from checkpoint tensors: dtype conversion and concatenation.
#include "runtime/Package/WeightProvider.h"

#include "runtime/Package/HostConvert.h"

#include <cstring>
#include <fmt/format.h>
#include <fmt/ranges.h>

namespace loom::rt {

namespace {

int64_t product(const std::vector<int64_t> &shape, size_t from = 0) {
  int64_t n = 1;
  for (size_t i = from; i < shape.size(); ++i)
    n *= shape[i];
  return n;
}

StatusOr<std::vector<std::byte>> converted(const std::string &name, DType dtype,
                                           WeightProvider &provider, std::vector<int64_t> &shape) {
  LOOM_ASSIGN_OR_RETURN(HostTensorView view, provider.tensor(name));
  if (static_cast<int64_t>(view.data.size()) != product(view.shape) * static_cast<int64_t>(dtypeBytes(view.dtype)))
    return LOOM_ERROR(StatusCode::kInvalidArgument,
                      fmt::format("checkpoint tensor '{}' has {} bytes for shape [{}] of {}", name,
                                  view.data.size(), fmt::join(view.shape, ", "), dtypeName(view.dtype)));
  shape = view.shape;
  auto bytes = convertElements(view.data, view.dtype, dtype);
  if (!bytes)
    return bytes.status().withContext(fmt::format("weight '{}'", name));
  return bytes;
}

} // namespace

StatusOr<std::vector<std::byte>> materializeWeight(const WeightSpec &spec, WeightProvider &provider) {
  if (spec.concatOf.empty()) {
    std::vector<int64_t> shape;
    LOOM_ASSIGN_OR_RETURN(auto bytes, converted(spec.name, spec.dtype, provider, shape));
    if (shape != spec.shape)
      return LOOM_ERROR(StatusCode::kInvalidArgument,
                        fmt::format("weight '{}' has shape [{}], the package expects [{}]", spec.name,
                                    fmt::join(shape, ", "), fmt::join(spec.shape, ", ")));
    return bytes;
  }
  // Concatenation along `axis`: the output is `outer` slabs, each the parts' inner blocks in turn.
  size_t axis = static_cast<size_t>(spec.concatAxis);
  size_t element = dtypeBytes(spec.dtype);
  int64_t outer = product(std::vector<int64_t>(spec.shape.begin(), spec.shape.begin() + axis));
  std::vector<std::vector<std::byte>> parts;
  std::vector<int64_t> innerBytes;
  int64_t axisTotal = 0;
  for (const std::string &name : spec.concatOf) {
    std::vector<int64_t> shape;
    LOOM_ASSIGN_OR_RETURN(auto bytes, converted(name, spec.dtype, provider, shape));
    bool compatible = shape.size() == spec.shape.size();
    for (size_t d = 0; compatible && d < shape.size(); ++d)
      compatible = d == axis || shape[d] == spec.shape[d];
    if (!compatible)
      return LOOM_ERROR(StatusCode::kInvalidArgument,
                        fmt::format("weight '{}': part '{}' of shape [{}] does not fit [{}] along axis {}",
                                    spec.name, name, fmt::join(shape, ", "), fmt::join(spec.shape, ", "), axis));
    axisTotal += shape[axis];
    innerBytes.push_back(product(shape, axis) * static_cast<int64_t>(element));
    parts.push_back(std::move(bytes));
  }
  if (axisTotal != spec.shape[axis])
    return LOOM_ERROR(StatusCode::kInvalidArgument,
                      fmt::format("weight '{}': parts add up to {} along axis {}, not {}", spec.name,
                                  axisTotal, axis, spec.shape[axis]));
  std::vector<std::byte> out(static_cast<size_t>(product(spec.shape)) * element);
  std::byte *cursor = out.data();
  for (int64_t o = 0; o < outer; ++o)
    for (size_t p = 0; p < parts.size(); ++p) {
      std::memcpy(cursor, parts[p].data() + o * innerBytes[p], static_cast<size_t>(innerBytes[p]));
      cursor += innerBytes[p];
    }
  return out;
}

} // namespace loom::rt

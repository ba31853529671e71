// HostTensor construction, rounding to storage, and shape queries.
#include "frontend/Reference/HostTensor.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <limits>

namespace loom::ref {

int64_t elementCount(const Shape &shape) {
  int64_t count = 1;
  for (int64_t extent : shape)
    count *= extent > 0 ? extent : 0;
  return count;
}

std::string shapeString(const Shape &shape) { return fmt::format("{}", fmt::join(shape, "x")); }

HostTensor::HostTensor(ElementType type, Shape shape) : type_(type), shape_(std::move(shape)) {
  size_t count = static_cast<size_t>(elementCount(shape_));
  if (isFloatType(type_))
    floats_.assign(count, 0.0f);
  else
    ints_.assign(count, 0);
}

HostTensor HostTensor::zeros(ElementType type, Shape shape) {
  return HostTensor(type, std::move(shape));
}

namespace {

Status checkShape(const Shape &shape, size_t valueCount) {
  for (int64_t extent : shape)
    if (extent < 0)
      return LOOM_ERROR(StatusCode::kInvalidArgument,
                        fmt::format("shape {} has a negative extent", shapeString(shape)));
  if (static_cast<size_t>(elementCount(shape)) != valueCount)
    return LOOM_ERROR(StatusCode::kInvalidArgument,
                      fmt::format("shape {} holds {} elements, got {} values", shapeString(shape),
                                  elementCount(shape), valueCount));
  return Status::ok();
}

} // namespace

StatusOr<HostTensor> HostTensor::fromFloats(ElementType type, Shape shape,
                                            std::vector<float> values) {
  if (!isFloatType(type))
    return LOOM_ERROR(StatusCode::kInvalidArgument,
                      fmt::format("{} is not a float type", elementTypeName(type)));
  LOOM_RETURN_IF_ERROR(checkShape(shape, values.size()));
  HostTensor tensor(type, {0});
  tensor.shape_ = std::move(shape);
  tensor.floats_ = std::move(values);
  tensor.roundToStorage();
  return tensor;
}

StatusOr<HostTensor> HostTensor::fromInts(ElementType type, Shape shape,
                                          std::vector<int64_t> values) {
  if (type != ElementType::kI32 && type != ElementType::kI64)
    return LOOM_ERROR(StatusCode::kInvalidArgument,
                      fmt::format("{} is not an index type", elementTypeName(type)));
  LOOM_RETURN_IF_ERROR(checkShape(shape, values.size()));
  if (type == ElementType::kI32)
    for (int64_t value : values)
      if (value < std::numeric_limits<int32_t>::min() || value > std::numeric_limits<int32_t>::max())
        return LOOM_ERROR(StatusCode::kInvalidArgument,
                          fmt::format("{} does not fit in i32", value));
  HostTensor tensor(type, {0});
  tensor.shape_ = std::move(shape);
  tensor.ints_ = std::move(values);
  return tensor;
}

int64_t HostTensor::dim(int64_t index) const {
  if (index < 0)
    index += rank();
  return index >= 0 && index < rank() ? shape_[index] : 0;
}

int64_t HostTensor::numElements() const { return elementCount(shape_); }

int64_t HostTensor::numRows() const {
  int64_t last = rank() == 0 ? 1 : shape_.back();
  return last == 0 ? 0 : numElements() / last;
}

std::span<float> HostTensor::row(int64_t index) {
  size_t width = rank() == 0 ? 1 : static_cast<size_t>(shape_.back());
  return std::span<float>(floats_).subspan(static_cast<size_t>(index) * width, width);
}

std::span<const float> HostTensor::row(int64_t index) const {
  size_t width = rank() == 0 ? 1 : static_cast<size_t>(shape_.back());
  return std::span<const float>(floats_).subspan(static_cast<size_t>(index) * width, width);
}

void HostTensor::roundToStorage() {
  if (type_ == ElementType::kF32)
    return;
  for (float &value : floats_)
    value = roundToElementType(value, type_);
}

std::string HostTensor::typeString() const {
  if (shape_.empty())
    return fmt::format("tensor<{}>", elementTypeName(type_));
  return fmt::format("tensor<{}x{}>", shapeString(shape_), elementTypeName(type_));
}

} // namespace loom::ref

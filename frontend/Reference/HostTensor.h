// HostTensor: a row-major tensor in host memory with a storage type (bf16/f16/f32/i32/i64).
#pragma once

#include "frontend/Reference/ElementType.h"
#include "runtime/Support/Status.h"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace loom::ref {

using Shape = std::vector<int64_t>;

/// A dense row-major tensor. Float tensors hold their values as f32, each already rounded to the
/// storage type (a bf16 tensor holds only bf16-representable values); index tensors hold i64.
class HostTensor {
public:
  /// An empty f32 tensor of shape [0].
  HostTensor() : shape_{0} {}

  /// A tensor of `type` and `shape` filled with zeros.
  static HostTensor zeros(ElementType type, Shape shape);
  /// A float tensor; each value is rounded to `type`. Fails when the counts disagree, a
  /// dimension is negative or `type` is not a float type.
  static StatusOr<HostTensor> fromFloats(ElementType type, Shape shape, std::vector<float> values);
  /// An index tensor (i32/i64). Fails when the counts disagree or an i32 value is out of range.
  static StatusOr<HostTensor> fromInts(ElementType type, Shape shape, std::vector<int64_t> values);

  ElementType type() const { return type_; }
  bool isFloat() const { return isFloatType(type_); }
  const Shape &shape() const { return shape_; }
  int64_t rank() const { return static_cast<int64_t>(shape_.size()); }
  /// Extent of dimension `index`; a negative index counts from the end (-1 is the last).
  int64_t dim(int64_t index) const;
  int64_t numElements() const;
  /// Product of all extents but the last: the number of rows of the last dimension.
  int64_t numRows() const;

  /// Values of a float tensor (empty for an index tensor).
  std::span<float> floats() { return floats_; }
  std::span<const float> floats() const { return floats_; }
  /// Values of an index tensor (empty for a float tensor).
  std::span<int64_t> ints() { return ints_; }
  std::span<const int64_t> ints() const { return ints_; }
  /// Row `row` of the last dimension of a float tensor.
  std::span<float> row(int64_t row);
  std::span<const float> row(int64_t row) const;

  /// Rounds every float value to the storage type: ops write exact f32 results, then call this
  /// once, where the GPU rounds its output.
  void roundToStorage();
  /// The same values under another shape of the same element count (no check: see reshape()).
  void setShape(Shape shape) { shape_ = std::move(shape); }

  /// MLIR-like text, e.g. "tensor<3x4xbf16>".
  std::string typeString() const;

private:
  HostTensor(ElementType type, Shape shape);

  ElementType type_ = ElementType::kF32;
  Shape shape_;
  std::vector<float> floats_;
  std::vector<int64_t> ints_;
};

/// Number of elements of `shape` (1 for rank 0); negative extents count as 0.
int64_t elementCount(const Shape &shape);

/// "3x4" text of a shape.
std::string shapeString(const Shape &shape);

} // namespace loom::ref

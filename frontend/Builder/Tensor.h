// Tensor and KVCache: value handles of the DSL, with shape and element-type accessors.
#pragma once

#include "frontend/Builder/DType.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Value.h"

#include <cstdint>
#include <string>
#include <vector>

namespace loom {

/// A ranked tensor produced by a Builder. A default-constructed Tensor, or one returned by an op
/// that failed, is invalid (`!valid()`); ops given an invalid Tensor produce invalid Tensors, and
/// the Builder's status says why. Accessors of an invalid Tensor return empty values, never crash.
class Tensor {
public:
  /// Extent of a dynamic dimension in `shape()` and `dim()`.
  static constexpr int64_t kDynamic = mlir::ShapedType::kDynamic;

  Tensor() = default;
  /// Wraps `value`; it must be a ranked tensor (otherwise the Tensor is invalid).
  explicit Tensor(mlir::Value value);

  bool valid() const { return static_cast<bool>(value_); }
  mlir::Value value() const { return value_; }
  mlir::RankedTensorType type() const;

  int64_t rank() const;
  /// Extent of dimension `index` (negative counts from the end), kDynamic when dynamic,
  /// 0 when out of range or invalid.
  int64_t dim(int64_t index) const;
  std::vector<int64_t> shape() const;
  bool isDynamic(int64_t index) const { return dim(index) == kDynamic; }
  /// The element type; f32 for an invalid Tensor.
  DType dtype() const;
  /// The MLIR type as text, e.g. "tensor<?x4096xbf16>"; "<invalid>" when invalid.
  std::string str() const;

private:
  mlir::Value value_;
};

/// Geometry of a paged KV cache: `!graph.kv_cache<layers, blocks, blockSize, kvHeads, headDim, dtype>`.
struct KVCacheShape {
  int64_t layers = 0;
  int64_t blocks = 0;
  int64_t blockSize = 0;
  int64_t kvHeads = 0;
  int64_t headDim = 0;
};

/// A paged KV cache value (`!graph.kv_cache`), threaded through kv_append and read by
/// paged_attention. Invalid under the same rules as Tensor.
class KVCache {
public:
  KVCache() = default;
  /// Wraps `value`; it must be a `!graph.kv_cache` (otherwise the handle is invalid).
  explicit KVCache(mlir::Value value);

  bool valid() const { return static_cast<bool>(value_); }
  mlir::Value value() const { return value_; }
  /// The geometry; all zeros when invalid.
  KVCacheShape shape() const;
  /// The element type; f32 when invalid.
  DType dtype() const;
  std::string str() const;

private:
  mlir::Value value_;
};

} // namespace loom

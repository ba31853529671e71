// Accessors of the DSL's Tensor and KVCache handles.
#include "frontend/Builder/Tensor.h"

#include "frontend/Builder/TypeText.h"
#include "dialects/Graph/IR/GraphTypes.h"

namespace loom {

Tensor::Tensor(mlir::Value value) {
  if (value && mlir::isa<mlir::RankedTensorType>(value.getType()))
    value_ = value;
}

mlir::RankedTensorType Tensor::type() const {
  return valid() ? mlir::cast<mlir::RankedTensorType>(value_.getType()) : mlir::RankedTensorType();
}

int64_t Tensor::rank() const { return valid() ? type().getRank() : 0; }

int64_t Tensor::dim(int64_t index) const {
  int64_t r = rank();
  if (index < 0)
    index += r;
  if (index < 0 || index >= r)
    return 0;
  return type().getDimSize(index);
}

std::vector<int64_t> Tensor::shape() const {
  if (!valid())
    return {};
  auto dims = type().getShape();
  return {dims.begin(), dims.end()};
}

DType Tensor::dtype() const {
  if (!valid())
    return DType::f32;
  return dtypeOf(type().getElementType()).value_or(DType::f32);
}

std::string Tensor::str() const { return valid() ? typeText(type()) : "<invalid>"; }

KVCache::KVCache(mlir::Value value) {
  if (value && mlir::isa<graph::KVCacheType>(value.getType()))
    value_ = value;
}

KVCacheShape KVCache::shape() const {
  if (!valid())
    return {};
  auto type = mlir::cast<graph::KVCacheType>(value_.getType());
  return {type.getLayers(), type.getBlocks(), type.getBlockSize(), type.getKvHeads(),
          type.getHeadDim()};
}

DType KVCache::dtype() const {
  if (!valid())
    return DType::f32;
  return dtypeOf(mlir::cast<graph::KVCacheType>(value_.getType()).getElementType())
      .value_or(DType::f32);
}

std::string KVCache::str() const { return valid() ? typeText(value_.getType()) : "<invalid>"; }

} // namespace loom

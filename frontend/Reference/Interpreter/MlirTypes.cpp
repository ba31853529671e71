// MLIR type ↔ reference tensor bridging.
#include "frontend/Reference/Interpreter/MlirTypes.h"

#include "dialects/Graph/IR/GraphTypes.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/Support/raw_ostream.h"

#include <fmt/format.h>

namespace loom::ref {
namespace {

std::string typeText(mlir::Type type) {
  std::string text;
  llvm::raw_string_ostream stream(text);
  type.print(stream);
  return text;
}

Status mismatch(std::string_view what, mlir::Type type, const std::string &got) {
  return LOOM_ERROR(StatusCode::kInvalidArgument,
                    fmt::format("{} must be {}, got {}", what, typeText(type), got));
}

std::string kvCacheText(const KVCacheShape &s) {
  return fmt::format("a kv cache of layers={} blocks={} blockSize={} kvHeads={} headDim={} {}",
                     s.layers, s.blocks, s.blockSize, s.kvHeads, s.headDim,
                     elementTypeName(s.type));
}

} // namespace

StatusOr<ElementType> elementTypeOf(mlir::Type type) {
  if (type.isBF16())
    return ElementType::kBF16;
  if (type.isF16())
    return ElementType::kF16;
  if (type.isF32())
    return ElementType::kF32;
  if (type.isInteger(32))
    return ElementType::kI32;
  if (type.isInteger(64))
    return ElementType::kI64;
  return LOOM_ERROR(StatusCode::kInvalidArgument,
                    fmt::format("element type {} has no reference storage", typeText(type)));
}

StatusOr<KVCacheShape> kvCacheShapeOf(mlir::Type type) {
  auto cache = mlir::dyn_cast<graph::KVCacheType>(type);
  if (!cache)
    return LOOM_ERROR(StatusCode::kInvalidArgument,
                      fmt::format("{} is not a !graph.kv_cache type", typeText(type)));
  LOOM_ASSIGN_OR_RETURN(ElementType element, elementTypeOf(cache.getElementType()));
  return KVCacheShape{cache.getLayers(),  cache.getBlocks(),  cache.getBlockSize(),
                      cache.getKvHeads(), cache.getHeadDim(), element};
}

Status checkValueType(const RuntimeValue &value, mlir::Type type, std::string_view what) {
  if (mlir::isa<graph::KVCacheType>(type)) {
    LOOM_ASSIGN_OR_RETURN(KVCacheShape expected, kvCacheShapeOf(type));
    auto *const *cache = std::get_if<HostKVCache *>(&value);
    if (!cache || !*cache)
      return mismatch(what, type, "a tensor");
    if ((*cache)->shape() != expected)
      return mismatch(what, type, kvCacheText((*cache)->shape()));
    return Status::ok();
  }
  auto tensorType = mlir::dyn_cast<mlir::RankedTensorType>(type);
  const HostTensor *tensor = std::get_if<HostTensor>(&value);
  if (!tensorType || !tensor)
    return mismatch(what, type, tensor ? tensor->typeString() : "a kv cache");
  LOOM_ASSIGN_OR_RETURN(ElementType element, elementTypeOf(tensorType.getElementType()));
  bool fits = element == tensor->type() && tensorType.getRank() == tensor->rank();
  for (int64_t d = 0; fits && d < tensorType.getRank(); ++d)
    fits = tensorType.isDynamicDim(d) || tensorType.getDimSize(d) == tensor->dim(d);
  if (!fits)
    return mismatch(what, type, tensor->typeString());
  return Status::ok();
}

std::string locationText(mlir::Location location) {
  if (auto file = mlir::dyn_cast<mlir::FileLineColLoc>(location))
    return fmt::format("{}:{}:{}", file.getFilename().str(), file.getLine(), file.getColumn());
  std::string text;
  llvm::raw_string_ostream stream(text);
  location.print(stream);
  return text;
}

} // namespace loom::ref

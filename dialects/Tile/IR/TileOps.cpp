// Verifiers of the tile dialect's body ops (loads, stores, dots, maps, reductions, gathers).
#include "dialects/Tile/IR/TileOps.h"

#include "mlir/IR/Builders.h"

#define GET_OP_CLASSES
#include "dialects/Tile/IR/TileOps.cpp.inc"

namespace loom::tile {

namespace {

/// Checks a tile's `shape` names against its rank, the kernel's config and its static extents.
mlir::LogicalResult verifyTileShape(mlir::Operation *op, mlir::ArrayAttr shape,
                                    mlir::RankedTensorType tile, size_t indices, size_t bounds) {
  if (indices != bounds)
    return op->emitOpError() << "has " << indices << " indices but " << bounds << " bounds";
  if (shape.size() != indices || int64_t(shape.size()) != tile.getRank())
    return op->emitOpError() << "tile rank " << tile.getRank() << ", shape of " << shape.size()
                             << " names and " << indices << " indices must agree";
  auto kernel = op->getParentOfType<KernelOp>();
  for (auto [dim, entry] : llvm::enumerate(shape)) {
    auto name = llvm::cast<mlir::StringAttr>(entry).getValue();
    int64_t literal;
    if (!name.getAsInteger(10, literal)) {
      if (literal <= 0)
        return op->emitOpError() << "tile extent " << literal << " must be positive";
      if (!tile.isDynamicDim(dim) && tile.getDimSize(dim) != literal)
        return op->emitOpError() << "tile dimension " << dim << " is " << tile.getDimSize(dim)
                                 << " but the shape says " << literal;
      continue;
    }
    if (kernel && kernel.getConfig() && !kernel.getConfigValue(name))
      return op->emitOpError() << "tile extent '" << name << "' is not in the kernel's config";
  }
  return mlir::success();
}

/// A tile holds the pointer's element type, or f32 (converted on load / rounded on store).
mlir::LogicalResult verifyElement(mlir::Operation *op, mlir::Type pointer, mlir::Type element) {
  auto stored = llvm::cast<PtrType>(pointer).getElementType();
  if (element != stored && !element.isF32())
    return op->emitOpError() << "tile element type " << element << " must be f32 or the pointer's "
                             << stored;
  return mlir::success();
}

/// Arity of each map kind.
unsigned mapArity(MapKind kind) {
  switch (kind) {
  case MapKind::add:
  case MapKind::sub:
  case MapKind::mul:
  case MapKind::div:
    return 2;
  default:
    return 1;
  }
}

} // namespace

mlir::LogicalResult LoadOp::verify() {
  auto tile = getResult().getType();
  if (mlir::failed(verifyTileShape(*this, getShape(), tile, getIndices().size(), getBounds().size())))
    return mlir::failure();
  return verifyElement(*this, getPtr().getType(), tile.getElementType());
}

mlir::LogicalResult StoreOp::verify() {
  auto tile = getValue().getType();
  if (mlir::failed(verifyTileShape(*this, getShape(), tile, getIndices().size(), getBounds().size())))
    return mlir::failure();
  return verifyElement(*this, getPtr().getType(), tile.getElementType());
}

mlir::LogicalResult RowScaleOp::verify() {
  auto type = getResult().getType();
  if (type.getRank() != 2 || type.getDimSize(1) != 1)
    return emitOpError() << "result must be a column [rows, 1], got " << type;
  if (getEps().convertToFloat() <= 0.0f)
    return emitOpError() << "eps must be positive";
  return mlir::success();
}

mlir::LogicalResult DotOp::verify() {
  auto a = llvm::cast<PtrType>(getA().getType()).getElementType();
  auto b = llvm::cast<PtrType>(getB().getType()).getElementType();
  if (a != b)
    return emitOpError() << "operand element types differ: " << a << " and " << b;
  if (getResult().getType().getRank() != 2)
    return emitOpError() << "accumulator must be a 2-D tile, got " << getResult().getType();
  if (getScale() && getScale().getType().getRank() != 2)
    return emitOpError() << "scale must be a column [rows, 1], got " << getScale().getType();
  if (getStaging() && getStaging().getType().getElementType() != a)
    return emitOpError() << "staging buffer holds " << getStaging().getType().getElementType()
                         << " but the operands are " << a;
  return mlir::success();
}

mlir::LogicalResult MapOp::verify() {
  if (getOperands().size() != mapArity(getKind()))
    return emitOpError() << "'" << stringifyMapKind(getKind()) << "' takes "
                         << mapArity(getKind()) << " operands, got " << getOperands().size();
  auto result = getResult().getType();
  if (getKind() != MapKind::cast && !result.getElementType().isF32())
    return emitOpError() << "result must be f32 (only cast rounds), got " << result;
  for (mlir::Value operand : getOperands()) {
    auto tile = llvm::dyn_cast<mlir::RankedTensorType>(operand.getType());
    if (!tile)
      continue; // an f32 scalar broadcasts everywhere
    if (tile.getRank() > result.getRank())
      return emitOpError() << "operand " << tile << " has a higher rank than the result";
    int64_t offset = result.getRank() - tile.getRank();
    for (int64_t d = 0; d < tile.getRank(); ++d) {
      int64_t extent = tile.getDimSize(d), want = result.getDimSize(d + offset);
      if (extent != 1 && !mlir::ShapedType::isDynamic(extent) &&
          !mlir::ShapedType::isDynamic(want) && extent != want)
        return emitOpError() << "operand " << tile << " does not broadcast to " << result;
    }
  }
  return mlir::success();
}

mlir::LogicalResult ReduceOp::verify() {
  auto input = getInput().getType(), result = getResult().getType();
  int64_t axis = getAxis();
  if (axis < 0 || axis >= input.getRank())
    return emitOpError() << "axis " << axis << " is outside a tile of rank " << input.getRank();
  if (result.getRank() != input.getRank() || result.getDimSize(axis) != 1)
    return emitOpError() << "result must keep axis " << axis << " with extent 1, got " << result;
  bool wantsIndex = getKind() == ReduceKind::argmax;
  if (wantsIndex != result.getElementType().isInteger(32) ||
      (!wantsIndex && !result.getElementType().isF32()))
    return emitOpError() << "result element type must be " << (wantsIndex ? "i32" : "f32");
  return mlir::success();
}

mlir::LogicalResult GatherOp::verify() {
  auto result = getResult().getType();
  if (getIds().getType().getRank() != 1)
    return emitOpError() << "ids must be a 1-D tile, got " << getIds().getType();
  if (result.getRank() != 2 || result.isDynamicDim(1))
    return emitOpError() << "result must be rows of a static width, got " << result;
  auto table = llvm::cast<PtrType>(getTable().getType()).getElementType();
  if (result.getElementType() != table)
    return emitOpError() << "gathered rows keep the table's element type " << table;
  if (getErrors() && !llvm::cast<PtrType>(getErrors().getType()).getElementType().isInteger(32))
    return emitOpError() << "error record must be i32, got " << getErrors().getType();
  return mlir::success();
}

} // namespace loom::tile

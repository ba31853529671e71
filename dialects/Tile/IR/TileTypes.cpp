// Verification of the tile dialect's types.
#include "dialects/Tile/IR/TileTypes.h"

#include "mlir/IR/Diagnostics.h"

namespace loom::tile {

static bool isStorageType(mlir::Type type) {
  return type.isBF16() || type.isF16() || type.isF32() || type.isInteger(32) ||
         type.isInteger(64);
}

mlir::LogicalResult PtrType::verify(llvm::function_ref<mlir::InFlightDiagnostic()> emitError,
                                    mlir::Type elementType) {
  if (!isStorageType(elementType))
    return emitError() << "pointer element type must be bf16, f16, f32, i32 or i64, got "
                       << elementType;
  return mlir::success();
}

mlir::LogicalResult SharedType::verify(llvm::function_ref<mlir::InFlightDiagnostic()> emitError,
                                       mlir::Type elementType, llvm::ArrayRef<int64_t> shape) {
  if (!isStorageType(elementType))
    return emitError() << "shared buffer element type must be bf16, f16, f32, i32 or i64, got "
                       << elementType;
  for (int64_t extent : shape)
    if (extent <= 0)
      return emitError() << "shared buffer extents must be positive, got " << extent;
  return mlir::success();
}

int64_t SharedType::getBytes() const {
  int64_t elements = 1;
  for (int64_t extent : getShape())
    elements *= extent;
  return elements * int64_t(getElementType().getIntOrFloatBitWidth() / 8);
}

} // namespace loom::tile

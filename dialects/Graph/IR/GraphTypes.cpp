// Verification of the graph dialect's types.
#include "dialects/Graph/IR/GraphTypes.h"

#include "mlir/IR/Diagnostics.h"

namespace loom::graph {

mlir::LogicalResult
KVCacheType::verify(llvm::function_ref<mlir::InFlightDiagnostic()> emitError,
                    int64_t layers, int64_t blocks, int64_t blockSize,
                    int64_t kvHeads, int64_t headDim, mlir::Type elementType) {
  const std::pair<const char *, int64_t> dims[] = {
      {"layers", layers},   {"blocks", blocks},   {"blockSize", blockSize},
      {"kvHeads", kvHeads}, {"headDim", headDim}};
  for (auto [name, value] : dims)
    if (value <= 0)
      return emitError() << "kv_cache " << name << " must be positive, got " << value;
  if (!elementType.isBF16() && !elementType.isF16() && !elementType.isF32())
    return emitError() << "kv_cache element type must be bf16, f16 or f32, got " << elementType;
  return mlir::success();
}

} // namespace loom::graph

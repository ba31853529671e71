// Lowering of graph.matmul groups to loom::matmulSimt (loom/gemm_simt.cuh), a library kernel.
//
// How it works: [..., M, K] · [..., K, N] -> [..., M, N] with the leading dims flattened into
// batches of contiguous row-major matrices (an unbatched [K, N] weight is one batch). The
// tensor-core GEMMs read the right operand as [N, K] rows (graph.linear), so the matmul runs the
// CUDA-core GEMM with its [K, N] layout: any M, N, K and dtype, one batch per grid z. The call's
// parameters are (a, b, y, M, N, K); the tile comes from the SIMT GEMM table by M's bound.
#include "compiler/Conversion/GraphToTile/GroupLowering.h"
#include "compiler/Transforms/Tile/SimtFallback.h"

#include "llvm/ADT/StringExtras.h"

namespace loom::conversion {

namespace {

mlir::InFlightDiagnostic unsupportedMatmul(const Group &group, llvm::StringRef why) {
  return group.anchor->emitOpError() << "cannot lower matmul group '" << group.name
                                     << "' (ops: " << describeOps(group) << "): " << why;
}

/// The i32 parameter `name` of the call: a constant for a static extent, else the dim's.
mlir::LogicalResult sizeParameter(KernelBuilder &kernel, llvm::StringRef name, llvm::StringRef extent) {
  int64_t value;
  if (extent.getAsInteger(10, value))
    return kernel.extent(extent);
  kernel.intParameter(name, value);
  return mlir::success();
}

/// The product of the batch extents as a grid expression ("1" when unbatched).
std::string batchCount(llvm::ArrayRef<std::string> batchExtents) {
  int64_t constant = 1;
  llvm::SmallVector<std::string> factors;
  for (const std::string &extent : batchExtents) {
    int64_t value;
    if (llvm::StringRef(extent).getAsInteger(10, value))
      factors.push_back(extent);
    else
      constant *= value;
  }
  if (constant != 1 || factors.empty())
    factors.push_back(std::to_string(constant));
  return llvm::join(factors, " * ");
}

} // namespace

mlir::LogicalResult lowerMatmulGroup(KernelBuilder &kernel) {
  const Group &group = kernel.group();
  auto matmul = mlir::dyn_cast<graph::MatmulOp>(group.ops.front());
  if (!matmul || group.ops.size() != 1)
    return unsupportedMatmul(group, "a matmul lowers alone (epilogue ops fuse only after graph.linear)");
  mlir::Type element = matmul.getLhs().getType().getElementType();
  if (!element.isBF16() && !element.isF16() && !element.isF32())
    return unsupportedMatmul(group, "loom/gemm_simt.cuh multiplies bf16, f16 or f32 only");
  PackagePlan &plan = kernel.plan();
  mlir::Value lhs = group.outerInput(matmul.getLhs()), rhs = group.outerInput(matmul.getRhs());
  llvm::ArrayRef<std::string> lhsExtents = plan.extents(lhs), rhsExtents = plan.extents(rhs);
  if (lhsExtents.size() < 2 || rhsExtents.size() != lhsExtents.size())
    return unsupportedMatmul(group, "the package plan has no extents for the operands");
  size_t rank = lhsExtents.size();
  const std::string &m = lhsExtents[rank - 2], &k = lhsExtents[rank - 1], &n = rhsExtents[rank - 1];
  int64_t columns;
  if (llvm::StringRef(n).getAsInteger(10, columns))
    return unsupportedMatmul(group, "N (the right operand's last dimension) must be static");

  auto a = kernel.pointer(lhs, "a");
  auto b = kernel.pointer(rhs, "b");
  auto y = kernel.pointer(group.outerOutput(0), "y");
  if (mlir::failed(a) || mlir::failed(b) || mlir::failed(y) || mlir::failed(sizeParameter(kernel, "m", m)) ||
      mlir::failed(sizeParameter(kernel, "n", n)) || mlir::failed(sizeParameter(kernel, "k", k)))
    return mlir::failure();
  std::optional<int64_t> rowsBound = plan.bound(m);
  if (!rowsBound)
    return unsupportedMatmul(group, "M ('" + m + "') has no bound");
  const tile::SimtTile &tile = tile::simtGemmTile(*rowsBound);
  int64_t tilesN = llvm::divideCeil(columns, tile.bn), rows;
  std::string tilesM = llvm::StringRef(m).getAsInteger(10, rows)
                           ? "ceildiv(" + m + ", " + std::to_string(tile.bm) + ")"
                           : std::to_string(llvm::divideCeil(rows, tile.bm));
  // tile-tiling remarks on it with `explain` (loomc --debug).
  kernel.builder().getInsertionBlock()->getParentOp()->setAttr(
      tile::kFallbackAttrName,
      kernel.builder().getStringAttr("the right operand is [K, N] (graph.matmul); the tensor-core GEMMs "
                                     "read [N, K] rows (graph.linear)"));
  kernel.setLibraryLaunch(
      "matmul_simt",
      {{"bm", tile.bm}, {"bn", tile.bn}, {"bk", tile.bk}, {"tm", tile.tm}, {"tn", tile.tn}, {"b_kn", 1}},
      tile.threads(),
      {tilesM + (tilesN > 1 ? " * " + std::to_string(tilesN) : ""), "1",
       batchCount(lhsExtents.drop_back(2))},
      0);
  return mlir::success();
}

} // namespace loom::conversion

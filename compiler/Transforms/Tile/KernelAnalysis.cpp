// KernelAnalysis: family, sizes, bytes and FLOPs of a tile.kernel.
#include "compiler/Transforms/Tile/KernelAnalysis.h"
#include "compiler/Transforms/Tile/GemvVariants.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinOps.h"

namespace loom::tile {

namespace {

int64_t elementBytes(mlir::Type pointer) {
  return llvm::cast<PtrType>(pointer).getElementType().getIntOrFloatBitWidth() / 8;
}

/// The parameter name of a block argument of a kernel.
llvm::StringRef parameterName(mlir::BlockArgument argument) {
  auto kernel = llvm::cast<KernelOp>(argument.getOwner()->getParentOp());
  return llvm::cast<mlir::StringAttr>(kernel.getParamNames()[argument.getArgNumber()]).getValue();
}

} // namespace

std::string renderDimExpr(mlir::Value value) {
  if (auto argument = llvm::dyn_cast<mlir::BlockArgument>(value))
    return parameterName(argument).str();
  if (auto constant = value.getDefiningOp<mlir::arith::ConstantIntOp>())
    return std::to_string(constant.value());
  if (auto product = value.getDefiningOp<mlir::arith::MulIOp>()) {
    std::string lhs = renderDimExpr(product.getLhs()), rhs = renderDimExpr(product.getRhs());
    return lhs.empty() || rhs.empty() ? "" : lhs + " * " + rhs;
  }
  return "";
}

std::optional<int64_t> evaluateAtBounds(mlir::Value value, mlir::DictionaryAttr dims) {
  if (auto argument = llvm::dyn_cast<mlir::BlockArgument>(value)) {
    auto bound = dims ? llvm::dyn_cast_or_null<mlir::IntegerAttr>(dims.get(parameterName(argument)))
                      : mlir::IntegerAttr();
    return bound ? std::optional<int64_t>(bound.getInt()) : std::nullopt;
  }
  if (auto constant = value.getDefiningOp<mlir::arith::ConstantIntOp>())
    return constant.value();
  if (auto product = value.getDefiningOp<mlir::arith::MulIOp>()) {
    auto lhs = evaluateAtBounds(product.getLhs(), dims), rhs = evaluateAtBounds(product.getRhs(), dims);
    if (lhs && rhs)
      return *lhs * *rhs;
  }
  return std::nullopt;
}

mlir::DictionaryAttr launchDims(mlir::Operation *anyOpInModule) {
  auto module = anyOpInModule->getParentOfType<mlir::ModuleOp>();
  for (auto program : module.getOps<LaunchProgramOp>())
    return program.getDims();
  return {};
}

std::optional<MapKind> gatingOf(DotOp dot) {
  auto kind = dot->getAttrOfType<mlir::StringAttr>(kGatingAttrName);
  return kind ? symbolizeMapKind(kind.getValue()) : std::nullopt;
}

mlir::FailureOr<KernelShape> analyzeKernel(KernelOp kernel) {
  KernelShape shape;
  if (kernel->hasAttr(kLibraryAttrName)) {
    shape.family = KernelFamily::kLibrary;
    return shape;
  }
  mlir::DictionaryAttr dims = launchDims(kernel);
  auto fail = [&](llvm::StringRef why) { return kernel.emitOpError() << why; };
  auto setRows = [&](mlir::Value rows) -> mlir::LogicalResult {
    shape.rows = renderDimExpr(rows);
    auto bound = evaluateAtBounds(rows, dims);
    if (shape.rows.empty() || !bound)
      return fail("has a row count that is not a bounded dim expression");
    shape.rowsBound = *bound;
    // A GEMV variant (GemvVariants.h) launches only when its rows are at most the cap.
    if (auto cap = kernel->getAttrOfType<mlir::IntegerAttr>(kMaxRowsAttrName))
      shape.rowsBound = std::min(shape.rowsBound, cap.getInt());
    if (auto above = kernel->getAttrOfType<mlir::IntegerAttr>(kRowsAboveAttrName))
      shape.rowsAbove = above.getInt();
    return mlir::success();
  };
  int64_t maps = 0;
  double bytesPerRow = 0, bytesOnce = 0;
  DotOp dot;
  StoreOp firstStore;
  kernel.walk([&](mlir::Operation *op) {
    if (auto found = llvm::dyn_cast<DotOp>(op))
      dot = found;
    if (llvm::isa<MapOp, ReduceOp>(op))
      ++maps;
    if (auto reduce = llvm::dyn_cast<ReduceOp>(op);
        reduce && llvm::is_contained({ReduceKind::max, ReduceKind::argmax}, reduce.getKind()))
      shape.streamsRows = true;
    if (auto store = llvm::dyn_cast<StoreOp>(op); store && !firstStore)
      firstStore = store;
    auto touch = [&](mlir::Value pointer, mlir::RankedTensorType tile) {
      int64_t bytes = elementBytes(pointer.getType());
      shape.narrowestBytes = std::min(shape.narrowestBytes, bytes);
      int64_t extent = 1;
      for (int64_t d = 0; d < tile.getRank(); ++d)
        if (!tile.isDynamicDim(d))
          extent *= tile.getDimSize(d);
      (tile.isDynamicDim(0) ? bytesPerRow : bytesOnce) += double(bytes * extent);
    };
    if (auto load = llvm::dyn_cast<LoadOp>(op))
      touch(load.getPtr(), load.getResult().getType());
    if (auto store = llvm::dyn_cast<StoreOp>(op))
      touch(store.getPtr(), store.getValue().getType());
    if (auto gather = llvm::dyn_cast<GatherOp>(op))
      touch(gather.getTable(), gather.getResult().getType());
  });
  if (dot) {
    shape.family = KernelFamily::kGemm;
    if (mlir::failed(setRows(dot.getM())))
      return mlir::failure();
    auto n = evaluateAtBounds(dot.getN(), {}), k = evaluateAtBounds(dot.getK(), {});
    if (!n || !k)
      return fail("GEMM N and K must be constants");
    shape.n = *n;
    shape.k = *k;
    shape.operand = llvm::cast<PtrType>(dot.getA().getType()).getElementType();
    shape.rowScale = dot.getScale() != nullptr;
    shape.gating = gatingOf(dot) ? 2 : 1;
    if (auto ropeKv = firstStore ? firstStore->getAttrOfType<mlir::DictionaryAttr>("loom.rope_kv") : nullptr)
      if (auto headDim = ropeKv.getAs<mlir::IntegerAttr>("head_dim"))
        shape.staticSharedBytes = int64_t(sizeof(double)) * (headDim.getInt() / 2);
    double m = double(shape.rowsBound), elem = double(elementBytes(dot.getA().getType()));
    double weightRows = double(shape.gating * shape.n);
    shape.flops = 2.0 * m * weightRows * double(shape.k);
    shape.bytes = (m * shape.k + weightRows * shape.k + m * double(shape.n)) * elem;
    return shape;
  }
  if (!firstStore)
    return fail("stores nothing");
  if (firstStore.getLayout() == Layout::vector) {
    shape.family = KernelFamily::kVector;
    if (mlir::failed(setRows(firstStore.getBounds()[0])))
      return mlir::failure();
    shape.bytes = bytesPerRow * double(shape.rowsBound);
    shape.flops = double(maps) * double(shape.rowsBound);
    return shape;
  }
  shape.family = KernelFamily::kRows;
  if (mlir::failed(setRows(firstStore.getBounds()[0])))
    return mlir::failure();
  // The row length: the widest static extent of a row tile the kernel reads.
  kernel.walk([&](mlir::Operation *op) {
    for (mlir::Value result : op->getResults())
      if (auto tile = llvm::dyn_cast<mlir::RankedTensorType>(result.getType());
          tile && tile.getRank() == 2 && !tile.isDynamicDim(1))
        shape.rowLength = std::max(shape.rowLength, tile.getDimSize(1));
  });
  if (shape.rowLength == 0)
    return fail("has no row of a static length");
  shape.bytes = bytesPerRow * double(shape.rowsBound) + bytesOnce;
  shape.flops = double(maps) * double(shape.rowsBound) * double(shape.rowLength);
  return shape;
}

} // namespace loom::tile

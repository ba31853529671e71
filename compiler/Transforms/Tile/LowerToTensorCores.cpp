// The tile-lower-to-tensor-cores pass: MMA atoms and shared-memory rings for tile.dot (see
// Passes.td).
#include "compiler/Transforms/Tile/MmaAtoms.h"
#include "compiler/Transforms/Tile/KernelAnalysis.h"
#include "compiler/Transforms/Tile/Passes.h"
#include "compiler/Transforms/Tile/SimtFallback.h"
#include "dialects/Tile/IR/TileOps.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace loom::tile {

#define GEN_PASS_DEF_TILELOWERTOTENSORCORESPASS
#include "compiler/Transforms/Tile/Passes.h.inc"

namespace {

/// Whether tile-tiling gave the dot's kernel the SIMT GEMM configuration (SimtFallback.h).
bool isSimtGemm(DotOp dot) {
  auto kernel = dot->getParentOfType<KernelOp>();
  return kernel && kernel.getConfig() && kernel.getConfigValue(kSimtConfigKey).value_or(0) == 1;
}

/// The atom for a dot, or why there is none.
const MmaAtom *atomFor(DotOp dot, const GpuTarget &target, std::string &why) {
  auto kernel = dot->getParentOfType<KernelOp>();
  if (!kernel.getConfig()) {
    why = "the kernel has no tile configuration (run tile-tiling first)";
    return nullptr;
  }
  auto operand = llvm::cast<PtrType>(dot.getA().getType()).getElementType();
  return selectMmaAtom(target, operand, dot.getScale() != nullptr, why);
}

struct LowerDotToMma final : mlir::OpRewritePattern<DotOp> {
  LowerDotToMma(mlir::MLIRContext *context, const GpuTarget &target)
      : OpRewritePattern(context), target(target) {}

  mlir::LogicalResult matchAndRewrite(DotOp dot, mlir::PatternRewriter &rewriter) const override {
    if (dot.getAtom())
      return rewriter.notifyMatchFailure(dot, "already lowered");
    if (isSimtGemm(dot)) { // tile-tiling chose loom/gemm_simt.cuh: no MMA atom, no ring
      rewriter.modifyOpInPlace(dot, [&] { dot.setAtomAttr(rewriter.getStringAttr(kSimtAtomName)); });
      return mlir::success();
    }
    std::string why;
    const MmaAtom *atom = atomFor(dot, target, why);
    if (!atom)
      return rewriter.notifyMatchFailure(dot, why);
    auto kernel = dot->getParentOfType<KernelOp>();
    auto bm = kernel.getConfigValue("bm"), bn = kernel.getConfigValue("bn");
    auto stages = kernel.getConfigValue("stages");
    auto bk = atom->needsWgmma ? std::optional<int64_t>(64) : kernel.getConfigValue("bk");
    rewriter.modifyOpInPlace(dot, [&] {
      dot.setAtomAttr(rewriter.getStringAttr(atom->name));
      if (bm && bn && bk && stages) { // pipelined GEMMs stage X and W tiles; GEMV streams W
        auto operand = llvm::cast<PtrType>(dot.getA().getType()).getElementType();
        // mma.sync stages bn weight rows per gate (gated: gate and up); wgmma's bn counts both.
        int64_t weightRows = atom->needsWgmma || !gatingOf(dot) ? *bn : 2 * *bn;
        auto ring = SharedType::get(getContext(), operand, {*stages, *bm + weightRows, *bk});
        rewriter.setInsertionPoint(dot);
        dot.getStagingMutable().assign(AllocSharedOp::create(rewriter, dot.getLoc(), ring));
      }
    });
    return mlir::success();
  }

  const GpuTarget &target;
};

struct TileLowerToTensorCoresPass final
    : impl::TileLowerToTensorCoresPassBase<TileLowerToTensorCoresPass> {
  using TileLowerToTensorCoresPassBase::TileLowerToTensorCoresPassBase;

  void runOnOperation() override {
    const GpuTarget *gpu = findGpuTargetOrEmit(getOperation(), target);
    if (!gpu)
      return signalPassFailure();
    mlir::RewritePatternSet patterns(&getContext());
    patterns.add<LowerDotToMma>(&getContext(), *gpu);
    if (mlir::failed(mlir::applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
    bool failed = false;
    getOperation().walk([&](DotOp dot) {
      std::string why;
      if (!dot.getAtom() && !atomFor(dot, *gpu, why)) {
        dot.emitOpError() << why;
        failed = true;
      }
    });
    if (failed)
      signalPassFailure();
  }
};

} // namespace

} // namespace loom::tile

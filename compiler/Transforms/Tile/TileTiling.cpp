// The tile-tiling pass: a tile configuration and launch shape per kernel (see Passes.td).
#include "compiler/Transforms/Tile/BatchInvariance.h"
#include "compiler/Transforms/Tile/CostModel.h"
#include "compiler/Transforms/Tile/GemvVariants.h"
#include "compiler/Transforms/Tile/Passes.h"
#include "compiler/Transforms/Tile/SkinnyVariants.h"
#include "compiler/Transforms/Tile/SimtFallback.h"
#include "compiler/Transforms/Tile/TuningTable.h"

#include "mlir/IR/Builders.h"

namespace loom::tile {

#define GEN_PASS_DEF_TILETILINGPASS
#include "compiler/Transforms/Tile/Passes.h.inc"

namespace {

void applyConfig(KernelOp kernel, const TileConfig &config) {
  mlir::Builder b(kernel.getContext());
  llvm::SmallVector<mlir::NamedAttribute> values;
  for (const auto &[key, value] : config.values)
    values.push_back(b.getNamedAttr(key, b.getI64IntegerAttr(value)));
  kernel.setConfigAttr(b.getDictionaryAttr(values));
  kernel.setBlockAttr(b.getDenseI32ArrayAttr({config.threads, 1, 1}));
  kernel.setGridAttr(b.getStrArrayAttr({config.grid[0], config.grid[1], config.grid[2]}));
  kernel.setSharedBytesAttr(b.getI64IntegerAttr(config.sharedBytes));
}

struct TileTilingPass final : impl::TileTilingPassBase<TileTilingPass> {
  using TileTilingPassBase::TileTilingPassBase;

  mlir::LogicalResult tile(KernelOp kernel, const GpuTarget &gpu) {
    auto shape = analyzeKernel(kernel);
    if (mlir::failed(shape))
      return mlir::failure();
    if (std::string why = simtGemmReason(*shape, gpu); !why.empty()) {
      applyConfig(kernel, simtGemmConfig(*shape));
      kernel->setAttr(kFallbackAttrName, mlir::StringAttr::get(kernel.getContext(), why));
      return mlir::success();
    }
    // 17..128 rows on sm_90 (a skinny variant, or a GEMM bounded there): the skinny GEMM, whose
    // configuration is a rule of the shape (SkinnyVariants.h).
    if (shape->rowsBound <= kSkinnyMaxRows && skinnyProblem(*shape, gpu).empty()) {
      TileConfig config = skinnyConfig(*shape, gpu);
      if (launchProblem(config, gpu).empty()) {
        applyConfig(kernel, config);
        return mlir::success();
      }
    }
    if (auto tuned = tunedConfig(*shape, gpu.name)) {
      auto config = completeConfig(*shape, gpu, *tuned);
      std::string problem = mlir::succeeded(config) ? launchProblem(*config, gpu) : "incomplete";
      if (!problem.empty())
        return kernel.emitOpError() << "tuning table configuration cannot launch on " << gpu.name
                                    << ": " << problem;
      applyConfig(kernel, *config);
      return mlir::success();
    }
    std::vector<TileConfig> candidates = candidateConfigs(*shape, gpu);
    const TileConfig *best = nullptr;
    std::string lastProblem = "no candidate configurations";
    for (const TileConfig &config : candidates) {
      std::string problem = launchProblem(config, gpu);
      if (!problem.empty()) {
        lastProblem = problem;
        continue;
      }
      if (!best || config.seconds < best->seconds)
        best = &config;
    }
    if (!best)
      return kernel.emitOpError() << "no tile configuration can launch on " << gpu.name << " ("
                                  << lastProblem << ")";
    applyConfig(kernel, *best);
    return mlir::success();
  }

  void runOnOperation() override {
    const GpuTarget *gpu = findGpuTargetOrEmit(getOperation(), target);
    if (!gpu)
      return signalPassFailure();
    // Every variant chosen by a step's row count or shape is added here, under this one switch.
    if (batchInvariant)
      makeBatchInvariant(getOperation(), explain);
    else if (gemvVariants) {
      addGemvVariants(getOperation(), *gpu, explain);
      addSkinnyVariants(getOperation(), *gpu, explain);
    }
    for (KernelOp kernel : getOperation().getOps<KernelOp>())
      if (!kernel->hasAttr(kLibraryAttrName) && mlir::failed(tile(kernel, *gpu)))
        return signalPassFailure();
    if (explain)
      for (KernelOp kernel : getOperation().getOps<KernelOp>())
        if (auto why = kernel->getAttrOfType<mlir::StringAttr>(kFallbackAttrName))
          kernel.emitRemark() << "runs the CUDA-core fallback: " << why.getValue();
  }
};

} // namespace

} // namespace loom::tile

// The code generator's pipelines and compile().
#include "compiler/Pipelines/Pipelines.h"

#include "compiler/Conversion/GraphToTile/Passes.h"
#include "compiler/Target/CUDA/Passes.h"
#include "compiler/Transforms/Graph/Passes.h"
#include "compiler/Transforms/Tile/Passes.h"

#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

namespace loom::pipelines {

namespace {

struct PipelineOptions : mlir::PassPipelineOptions<PipelineOptions> {
  Option<std::string> target{*this, "target", llvm::cl::desc("sm_80, sm_89, sm_90 or sm_90a"),
                             llvm::cl::init("sm_90a")};
  Option<bool> fuse{*this, "fuse", llvm::cl::desc("Fuse graph ops first"), llvm::cl::init(true)};
  Option<bool> ropePairs{*this, "rope-pairs",
                         llvm::cl::desc("Interleave q/k ropes by permuting the projection rows"),
                         llvm::cl::init(true)};
  Option<bool> batchInvariant{*this, "batch-invariant",
                              llvm::cl::desc("One kernel per op at every step shape"),
                              llvm::cl::init(false)};

  CompileOptions compileOptions() const {
    CompileOptions options;
    options.target = target;
    options.fuse = fuse;
    options.ropePairs = ropePairs;
    options.batchInvariant = batchInvariant;
    return options;
  }
};

} // namespace

void buildFusionPipeline(mlir::OpPassManager &pm, const CompileOptions &options) {
  if (!options.fuse)
    return;
  if (options.ropePairs)
    pm.addPass(graph::createGraphRopePairsPass({options.explain}));
  pm.addPass(graph::createGraphHoistWeightsPass());
  pm.addPass(graph::createGraphFusePass({options.explain}));
}

void buildGraphToTilePipeline(mlir::OpPassManager &pm, const CompileOptions &options) {
  buildFusionPipeline(pm, options);
  pm.addPass(conversion::createConvertGraphToTilePass({options.target}));
  pm.addPass(mlir::createCSEPass());
  pm.addPass(tile::createTileTilingPass(
      {options.target, /*gemvVariants=*/true, options.batchInvariant, options.explain}));
  pm.addPass(tile::createTileLowerToTensorCoresPass({options.target}));
}

mlir::FailureOr<cuda::Package> compile(mlir::ModuleOp module, const CompileOptions &options) {
  const tile::GpuTarget *target = tile::findGpuTargetOrEmit(module, options.target);
  if (!target)
    return mlir::failure();
  mlir::PassManager pm(module.getContext());
  buildGraphToTilePipeline(pm, options);
  if (mlir::failed(pm.run(module)))
    return mlir::failure();
  return cuda::emitPackage(module, *target);
}

void registerPipelines() {
  mlir::PassPipelineRegistration<PipelineOptions>(
      "graph-to-tile", "Fuse, convert to tile kernels, tile and lower to tensor cores.",
      [](mlir::OpPassManager &pm, const PipelineOptions &options) {
        buildGraphToTilePipeline(pm, options.compileOptions());
      });
  mlir::PassPipelineRegistration<PipelineOptions>(
      "graph-to-cuda", "graph-to-tile, then print the CUDA sources and the manifest.",
      [](mlir::OpPassManager &pm, const PipelineOptions &options) {
        buildGraphToTilePipeline(pm, options.compileOptions());
        pm.addPass(cuda::createTileEmitCudaPass({options.target}));
      });
}

} // namespace loom::pipelines

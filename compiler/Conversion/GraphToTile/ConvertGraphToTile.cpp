// The convert-graph-to-tile pass: groups of the forward function -> tile kernels + launch program.
#include "compiler/Conversion/GraphToTile/GroupLowering.h"
#include "compiler/Conversion/GraphToTile/Passes.h"
#include "compiler/Transforms/Graph/Passes.h"
#include "compiler/Transforms/Tile/KernelAnalysis.h"

#include "mlir/Pass/PassManager.h"

namespace loom::conversion {

#define GEN_PASS_DEF_CONVERTGRAPHTOTILEPASS
#include "compiler/Conversion/GraphToTile/Passes.h.inc"

namespace {

/// How each family becomes a kernel; families missing here have no device-library kernel yet.
using FamilyLowering = mlir::LogicalResult (*)(KernelBuilder &);
constexpr std::pair<graph::FusionKind, FamilyLowering> kFamilies[] = {
    {graph::FusionKind::elementwise, lowerRowGroup}, {graph::FusionKind::norm, lowerRowGroup},
    {graph::FusionKind::gather, lowerRowGroup},      {graph::FusionKind::other, lowerRowGroup},
    {graph::FusionKind::gemm, lowerGemmGroup},       {graph::FusionKind::attention, lowerAttentionGroup}};

/// A rope outside every group would launch nothing: it lowers only inside a kv_append kernel.
mlir::LogicalResult checkRopesClaimed(mlir::func::FuncOp function, llvm::ArrayRef<Group> groups) {
  llvm::DenseSet<mlir::Operation *> claimed;
  for (const Group &group : groups)
    claimed.insert(group.ops.begin(), group.ops.end());
  for (auto rope : function.getBody().getOps<graph::RopeOp>())
    if (!claimed.contains(rope))
      return rope.emitOpError() << "lowers only rotating q and k in place inside the kv_append of "
                                   "a packed QKV projection (loom/kv_append.cuh ropeKvAppend)";
  return mlir::success();
}

/// Lists in each kernel's loom.weights the pointer parameters that every launch binds to a package
/// weight: uploaded before the first step and written by no kernel (graph.weight values have no
/// producer in the step), so a kernel may read them before its grid-dependency wait.
void markWeightParameters(mlir::ModuleOp module, tile::LaunchProgramOp program) {
  llvm::DenseMap<mlir::StringAttr, llvm::SmallVector<bool>> weightParameters;
  for (tile::LaunchOp launch : program.getBody().getOps<tile::LaunchOp>()) {
    auto bindings = launch.getBindings().getAsValueRange<mlir::StringAttr>();
    llvm::SmallVector<bool> bound;
    for (llvm::StringRef binding : bindings)
      bound.push_back(binding.starts_with("weight:"));
    auto [entry, inserted] = weightParameters.try_emplace(launch.getKernelAttr().getAttr(), bound);
    if (!inserted)
      for (auto [weight, thisLaunch] : llvm::zip(entry->second, bound))
        weight = weight && thisLaunch;
  }
  for (tile::KernelOp kernel : module.getOps<tile::KernelOp>()) {
    llvm::SmallVector<mlir::Attribute> names;
    for (auto [index, weight] : llvm::enumerate(weightParameters.lookup(kernel.getSymNameAttr())))
      if (weight)
        names.push_back(kernel.getParamNames()[index]);
    if (!names.empty())
      kernel->setAttr(tile::kWeightParamsAttrName, mlir::ArrayAttr::get(module.getContext(), names));
  }
}

struct ConvertGraphToTilePass final
    : impl::ConvertGraphToTilePassBase<ConvertGraphToTilePass> {
  using ConvertGraphToTilePassBase::ConvertGraphToTilePassBase;

  void runOnOperation() override {
    mlir::ModuleOp module = getOperation();
    llvm::SmallVector<mlir::func::FuncOp> functions(module.getOps<mlir::func::FuncOp>());
    if (functions.size() != 1) {
      module.emitError() << "expected one forward function, found " << functions.size();
      return signalPassFailure();
    }
    mlir::func::FuncOp function = functions.front();
    const tile::GpuTarget *gpu = nullptr;
    if (!target.empty() && !(gpu = tile::findGpuTargetOrEmit(module, target)))
      return signalPassFailure();
    // The arena plan is graph-plan-memory's: run it when the pipeline has not.
    if (!function->hasAttr("loom.buffer_plan")) {
      mlir::OpPassManager planning(mlir::func::FuncOp::getOperationName());
      planning.addPass(graph::createGraphPlanMemoryPass());
      if (mlir::failed(runPipeline(planning, function)))
        return signalPassFailure();
    }
    std::vector<Group> groups = collectGroups(function);
    if (mlir::failed(checkRopesClaimed(function, groups)))
      return signalPassFailure();
    auto plan = PackagePlan::build(function, groups, attentionScratch);
    if (mlir::failed(plan))
      return signalPassFailure();

    mlir::OpBuilder builder = mlir::OpBuilder::atBlockEnd(module.getBody());
    tile::LaunchProgramOp program = plan->createProgram(builder, function.getLoc());
    builder.setInsertionPoint(program);
    for (const Group &group : groups) {
      auto family = llvm::find_if(kFamilies, [&](auto entry) { return entry.first == group.kind; });
      if (family == std::end(kFamilies)) {
        group.anchor->emitOpError() << "group '" << group.name << "' of kind "
                                    << graph::stringifyFusionKind(group.kind)
                                    << " has no tile lowering (ops: " << describeOps(group) << ")";
        return signalPassFailure();
      }
      KernelBuilder kernel(builder, group, *plan, {}, gpu);
      if (mlir::failed(family->second(kernel)))
        return signalPassFailure();
      kernel.finish(program);
    }
    program.setWeightsAttr(plan->weightsAttr(builder));
    markWeightParameters(module, program);
    function.erase();
  }
};

} // namespace

} // namespace loom::conversion

// BatchInvariance: erasing the step-shape branches of a launch program (see BatchInvariance.h).
//
// Why: a kernel's tile configuration is fixed at compile time, so each output row's reduction
// order depends only on which kernel computes it. A program that picks kernels by step shape
// (the decode GEMV copies on `tokens <= 16`, attention's split-KV kernel on decode-only steps,
// which in a batch are often mixed steps taking the prefill kernel) computes a row one way alone
// and another way in a batch; bf16 results then differ in the last bit and near-ties flip.
#include "compiler/Transforms/Tile/BatchInvariance.h"

#include "dialects/Tile/IR/TileOps.h"

#include "llvm/ADT/StringSet.h"

namespace loom::tile {

namespace {
/// The launch guards of paged attention's two branches (docs/package.md "program").
constexpr llvm::StringLiteral kDecodeGuard = "decode", kPrefillGuard = "prefill";
} // namespace

void makeBatchInvariant(mlir::ModuleOp module, bool explain) {
  module->setAttr(kBatchInvariantAttrName, mlir::UnitAttr::get(module.getContext()));
  llvm::StringSet<> erasedKernels, keptKernels;
  for (LaunchProgramOp program : module.getOps<LaunchProgramOp>())
    for (LaunchOp launch : llvm::make_early_inc_range(program.getBody().getOps<LaunchOp>())) {
      std::optional<llvm::StringRef> when = launch.getWhen();
      if (when == kDecodeGuard) {
        if (explain)
          launch.emitRemark() << "batch-invariant: '" << launch.getKernel()
                              << "' (decode-only branch) erased; the prefill kernel runs every step";
        erasedKernels.insert(launch.getKernel());
        launch.erase();
        continue;
      }
      if (when == kPrefillGuard)
        launch.removeWhenAttr();
      keptKernels.insert(launch.getKernel());
    }
  for (KernelOp kernel : llvm::make_early_inc_range(module.getOps<KernelOp>()))
    if (erasedKernels.contains(kernel.getSymName()) && !keptKernels.contains(kernel.getSymName()))
      kernel.erase();
}

} // namespace loom::tile

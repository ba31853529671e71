// GemvVariants: cloning GEMM kernels into their decode GEMV variant and guarding both launches.
//
// How it works: a GEMM's rows are a dim expression ("tokens") bounded by the launch program
// (max tokens, e.g. 2048), so tiling alone must pick a GEMM tile, which leaves most SMs idle on
// a decode step of a few rows. The copy carries loom.max_rows = 16, so the tiling pass sizes it
// as a GEMV (W streamed once); the launch guards pick one of the two per step from the step's
// dims (docs/package.md "program"), which a CUDA graph of a decode bucket evaluates at capture.
#include "compiler/Transforms/Tile/GemvVariants.h"
#include "compiler/Transforms/Tile/SimtFallback.h"

#include "compiler/Transforms/Tile/MmaAtoms.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringExtras.h"

namespace loom::tile {

namespace {

/// `condition`, joined to the launch's existing guard.
mlir::StringAttr joinGuard(mlir::Builder &b, LaunchOp launch, const std::string &condition) {
  std::optional<llvm::StringRef> existing = launch.getWhen();
  return b.getStringAttr(existing ? (*existing + " && " + condition).str() : condition);
}

} // namespace

KernelOp addRowCappedCopy(KernelOp kernel, llvm::StringRef kind, int64_t maxRows,
                          mlir::SymbolTable &symbols) {
  mlir::OpBuilder b(kernel);
  b.setInsertionPointAfter(kernel);
  auto copy = llvm::cast<KernelOp>(b.clone(*kernel));
  llvm::StringRef name = kernel.getSymName();
  auto [family, number] = name.rsplit('_');
  bool numbered = !number.empty() && llvm::all_of(number, llvm::isDigit);
  copy.setSymName(numbered ? (family + "_" + kind + "_" + number).str() : (name + "_" + kind).str());
  symbols.insert(copy); // renames on a clash
  copy->setAttr(kMaxRowsAttrName, b.getI64IntegerAttr(maxRows));
  return copy;
}

std::string gemvVariantProblem(const KernelShape &shape, const GpuTarget &target) {
  if (shape.family != KernelFamily::kGemm)
    return "not a GEMM";
  if (shape.rowsBound <= kGemvMaxRows)
    return "its rows are bounded by " + std::to_string(shape.rowsBound) + ", so it is a GEMV already";
  // loom/gemv.cuh takes what the tensor-core families take (16-byte rows, an MMA operand type);
  // the rest run on the CUDA-core fallback.
  return simtGemmReason(shape, target);
}

void addGemvVariants(mlir::ModuleOp module, const GpuTarget &target, bool explain) {
  auto programs = llvm::to_vector(module.getOps<LaunchProgramOp>());
  if (programs.size() != 1)
    return;
  mlir::SymbolTable symbols(module);
  mlir::OpBuilder b(module.getContext());
  for (KernelOp kernel : llvm::to_vector(module.getOps<KernelOp>())) {
    if (kernel->hasAttr(kLibraryAttrName) || kernel->hasAttr(kMaxRowsAttrName))
      continue;
    auto shape = analyzeKernel(kernel);
    if (mlir::failed(shape) || shape->family != KernelFamily::kGemm)
      continue;
    if (std::string problem = gemvVariantProblem(*shape, target); !problem.empty()) {
      if (explain)
        kernel.emitRemark() << "no decode GEMV variant: " << problem;
      continue;
    }
    KernelOp gemv = addRowCappedCopy(kernel, "gemv", kGemvMaxRows, symbols);
    std::string few = shape->rows + " <= " + std::to_string(kGemvMaxRows);
    std::string many = shape->rows + " > " + std::to_string(kGemvMaxRows);
    for (LaunchOp launch : llvm::to_vector(programs.front().getBody().getOps<LaunchOp>())) {
      if (launch.getKernel() != kernel.getSymName())
        continue;
      b.setInsertionPoint(launch);
      auto gemvLaunch = llvm::cast<LaunchOp>(b.clone(*launch));
      gemvLaunch.setKernelAttr(mlir::FlatSymbolRefAttr::get(gemv.getSymNameAttr()));
      gemvLaunch.setWhenAttr(joinGuard(b, launch, few));
      launch.setWhenAttr(joinGuard(b, launch, many));
    }
    if (explain)
      kernel.emitRemark() << "decode GEMV variant '" << gemv.getSymName() << "' launches when "
                          << few;
  }
}

} // namespace loom::tile

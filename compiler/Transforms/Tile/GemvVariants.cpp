// GemvVariants: cloning GEMM kernels into their decode GEMV variant and guarding both launches.
//
// How it works: a GEMM's rows are a dim expression ("tokens") bounded by the launch program
// (max tokens, e.g. 2048), so tiling alone must pick a GEMM tile, which leaves most SMs idle on
// a decode step of a few rows. The copies carry loom.max_rows = 8 and 16, so the tiling pass
// sizes them as GEMVs (W streamed once) with MAX_M 8 and 16 configurations; the launch guards
// pick one kernel per step from the step's dims (docs/package.md "program"), which a CUDA graph
// of a decode bucket evaluates at capture.
#include "compiler/Transforms/Tile/GemvVariants.h"
#include "compiler/Transforms/Tile/SimtFallback.h"

#include "compiler/Transforms/Tile/MmaAtoms.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringExtras.h"

namespace loom::tile {

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
  copy->removeAttr(kRowsAboveAttrName); // an earlier, smaller copy's bound on the GEMM, not on this
  return copy;
}

std::pair<std::string, std::string> cappedGuards(llvm::StringRef rows, llvm::StringRef existing,
                                                 std::optional<int64_t> below, int64_t cap) {
  auto joined = [](llvm::StringRef guard) { return guard.empty() ? std::string() : (guard + " && ").str(); };
  std::string gemm = joined(existing);
  // Only a whole last term: `ntokens > 16` does not end in the term `tokens > 16`.
  llvm::StringRef rest = existing;
  if (below && rest.consume_back((rows + " > " + llvm::Twine(*below)).str()) &&
      (rest.empty() || rest.ends_with(" && ")))
    gemm = rest.str();
  return {joined(existing) + rows.str() + " <= " + std::to_string(cap), gemm + rows.str() + " > " + std::to_string(cap)};
}

std::string gemvVariantProblem(const KernelShape &shape, const GpuTarget &target, int64_t maxRows) {
  if (shape.family != KernelFamily::kGemm)
    return "not a GEMM";
  if (shape.rowsBound <= maxRows)
    return "its rows are bounded by " + std::to_string(shape.rowsBound) + ", so it is a GEMV of at most " +
           std::to_string(maxRows) + " rows already";
  // loom/gemv.cuh takes what the tensor-core families take (16-byte rows, an MMA operand type);
  // the rest run on the CUDA-core fallback.
  return simtGemmReason(shape, target);
}

namespace {
/// Why a copy capped at `maxRows` could never launch for `shape`: its rows are a constant above
/// the cap (a static-shape graph), so the guard `<rows> <= maxRows` never holds; "" otherwise.
std::string unreachableCopyProblem(const KernelShape &shape, int64_t maxRows) {
  int64_t fixedRows = 0;
  if (llvm::StringRef(shape.rows).getAsInteger(10, fixedRows) || fixedRows <= maxRows)
    return "";
  return "its rows are fixed at " + shape.rows + ", so a copy guarded `" + shape.rows +
         " <= " + std::to_string(maxRows) + "` could never launch";
}
} // namespace

void addRowVariants(mlir::ModuleOp module, const RowVariantRule &rule, bool explain) {
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
    std::string problem = unreachableCopyProblem(*shape, rule.maxRows);
    if (problem.empty())
      problem = rule.problem(*shape);
    if (!problem.empty()) {
      if (explain)
        kernel.emitRemark() << "no " << rule.description << ": " << problem;
      continue;
    }
    KernelOp copy = addRowCappedCopy(kernel, rule.kind, rule.maxRows, symbols);
    std::string few = shape->rows + " <= " + std::to_string(rule.maxRows);
    for (LaunchOp launch : llvm::to_vector(programs.front().getBody().getOps<LaunchOp>())) {
      if (launch.getKernel() != kernel.getSymName())
        continue;
      auto [copyGuard, gemmGuard] = rule.guards(*shape, launch.getWhen().value_or(""));
      b.setInsertionPoint(launch);
      auto copyLaunch = llvm::cast<LaunchOp>(b.clone(*launch));
      copyLaunch.setKernelAttr(mlir::FlatSymbolRefAttr::get(copy.getSymNameAttr()));
      copyLaunch.setWhenAttr(b.getStringAttr(copyGuard));
      launch.setWhenAttr(b.getStringAttr(gemmGuard));
      few = copyGuard;
    }
    kernel->setAttr(kRowsAboveAttrName, b.getI64IntegerAttr(rule.maxRows));
    if (explain)
      kernel.emitRemark() << rule.description << " '" << copy.getSymName() << "' launches when " << few;
  }
}

namespace {
/// The decode GEMV copies, fewest rows first: each splits the GEMM's remaining launch, so the
/// guards nest (`<= 8`, `> 8 && <= 16`, `> 16`).
struct GemvCopy {
  llvm::StringLiteral kind, description;
  int64_t maxRows;
  std::optional<int64_t> below; ///< the cap of the copy before it, if any
};
constexpr GemvCopy kGemvCopies[] = {
    {"gemv8", "decode GEMV variant (max_m 8)", kGemvSmallRows, std::nullopt},
    {"gemv", "decode GEMV variant", kGemvMaxRows, kGemvSmallRows},
};
} // namespace

void addGemvVariants(mlir::ModuleOp module, const GpuTarget &target, bool explain) {
  for (const GemvCopy &copy : kGemvCopies) {
    RowVariantRule rule{copy.kind, copy.maxRows, copy.description,
                        [&](const KernelShape &shape) { return gemvVariantProblem(shape, target, copy.maxRows); },
                        [&](const KernelShape &shape, llvm::StringRef existing) {
                          return cappedGuards(shape.rows, existing, copy.below, copy.maxRows);
                        }};
    addRowVariants(module, rule, explain);
  }
}

} // namespace loom::tile

// GemvVariants: decode GEMV copies (MAX_M 8 and 16) beside each GEMM whose row count can exceed them, and their launch guards.
#pragma once

#include "compiler/Transforms/Tile/GpuTargets.h"
#include "compiler/Transforms/Tile/KernelAnalysis.h"

#include "mlir/IR/BuiltinOps.h"

#include <functional>
#include <optional>

namespace loom::tile {

/// The most rows the GEMV family (loom/gemv.cuh) takes; larger row counts run the GEMM.
inline constexpr int64_t kGemvMaxRows = 16;
/// The rows of the smaller decode GEMV copy: its MAX_M 8 configurations stream W with half the
/// X tile (a 16-layer 1B decode chain at M = 1: 797 us with them, 854 us with MAX_M 16 only).
inline constexpr int64_t kGemvSmallRows = 8;

/// The discardable tile.kernel attribute that caps a kernel's rows below the launch program's
/// bound (tiling and cost use the cap): the GEMV variant of a GEMM, launched only on steps whose
/// row count is at most the cap.
inline constexpr llvm::StringLiteral kMaxRowsAttrName = "loom.max_rows";
/// On a GEMM whose row-capped copies take every step of at most this many rows: it launches only
/// above them, so its tile is chosen for more rows (CostModel).
inline constexpr llvm::StringLiteral kRowsAboveAttrName = "loom.rows_above";

/// A copy of `kernel` named `<family>_<kind>_<n>` (for `<family>_<n>`, else `<name>_<kind>`),
/// capped at `maxRows` rows (loom.max_rows), placed after `kernel`; renamed on a symbol clash.
KernelOp addRowCappedCopy(KernelOp kernel, llvm::StringRef kind, int64_t maxRows,
                          mlir::SymbolTable &symbols);

/// A family of row-capped copies: what it is called, its cap, why a GEMM gets none ("" when it
/// gets one), and the (copy, GEMM) guards of a launch given the launch's existing guard.
struct RowVariantRule {
  llvm::StringRef kind;        ///< the copy's name part: `<family>_<kind>_<n>`
  int64_t maxRows;
  llvm::StringRef description; ///< for remarks, e.g. "decode GEMV variant"
  std::function<std::string(const KernelShape &)> problem;
  std::function<std::pair<std::string, std::string>(const KernelShape &, llvm::StringRef)> guards;
};

/// For every GEMM (not a library kernel, not a capped copy) of a module with one launch program
/// that `rule` admits, adds the capped copy and splits each of the GEMM's launches into the
/// copy's, just before, and the GEMM's, each with its guard. With `explain`, remarks say why a
/// GEMM got none and when each copy launches.
void addRowVariants(mlir::ModuleOp module, const RowVariantRule &rule, bool explain);

/// The (copy, GEMM) guards of a copy capped at `cap` rows on a launch guarded `existing`: the
/// copy at `<rows> <= cap`, the GEMM at `<rows> > cap`, each joined with `&&` to `existing`,
/// except that a whole last term `<rows> > below` of `existing` (an earlier, smaller copy's) is
/// implied by `<rows> > cap` and dropped from the GEMM's.
std::pair<std::string, std::string> cappedGuards(llvm::StringRef rows, llvm::StringRef existing,
                                                 std::optional<int64_t> below, int64_t cap);

/// Why the GEMM `shape` gets no GEMV variant capped at `maxRows` on `target`, or "" when it
/// gets one.
std::string gemvVariantProblem(const KernelShape &shape, const GpuTarget &target,
                               int64_t maxRows = kGemvMaxRows);

/// For every GEMM kernel whose rows are bounded above kGemvSmallRows and that the GEMV family
/// can compute, adds a copy named `<family>_gemv8_<n>` (for `<family>_<n>`) capped at 8 rows
/// and, where its rows are bounded above kGemvMaxRows, one named `<family>_gemv_<n>` capped at
/// 16, and splits each of its launches: the 8-row GEMV guarded `<rows> <= 8`, the 16-row GEMV
/// `<rows> > 8 && <rows> <= 16`, then the GEMM `<rows> > 16` (each joined with `&&` to a guard
/// the launch had). With `explain`, every GEMM left without a variant gets a remark saying why.
void addGemvVariants(mlir::ModuleOp module, const GpuTarget &target, bool explain);

} // namespace loom::tile

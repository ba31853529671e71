// TensorCoreOperands: the target-independent rules under which a GEMM can run a tensor-core family.
#pragma once

// Header-only, so that graph-fuse (which must know whether a GEMM's epilogue will get column
// pairs) and tile-tiling's SIMT fallback (compiler/Transforms/Tile/SimtFallback.cpp, which adds
// the per-target MMA-atom rule) read the same rules without one pass library linking the other.

#include "mlir/IR/Types.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <string>

namespace loom::tile {

/// Whether some MMA atom (compiler/Transforms/Tile/MmaAtoms.cpp) takes `type` as its operands:
/// bf16 and f16. LoomCompilerTests checks this against the atom table on every target.
inline bool isTensorCoreOperandType(mlir::Type type) { return type.isBF16() || type.isF16(); }

/// The tensor-core families copy X and W rows of K elements in 16-byte chunks: why `k` does not
/// allow that, or "".
inline std::string reductionAlignmentProblem(int64_t k) {
  return k % 8 == 0 ? std::string()
                    : "K (" + std::to_string(k) + ") is not a multiple of 8, so rows of X and W are not 16-byte aligned";
}

/// The tensor-core families store Y rows of N elements in 16-byte chunks: why `n` does not allow
/// that, or "".
inline std::string outputAlignmentProblem(int64_t n) {
  return n % 8 == 0 ? std::string()
                    : "N (" + std::to_string(n) + ") is not a multiple of 8, so rows of W and Y are not 16-byte aligned";
}

/// Why no target runs a GEMM of `operand` elements with reduction length `k` and `n` outputs on
/// a tensor-core family (so tile-tiling sends it to loom::gemmSimt): every reason, joined by
/// "; ", or "" when some target can.
inline std::string tensorCoreGemmProblem(mlir::Type operand, int64_t k, int64_t n) {
  std::string problems;
  auto add = [&](const std::string &problem) {
    if (!problem.empty())
      problems += (problems.empty() ? "" : "; ") + problem;
  };
  if (!isTensorCoreOperandType(operand)) {
    std::string type;
    llvm::raw_string_ostream(type) << operand;
    add("no MMA atom takes " + type + " operands");
  }
  add(reductionAlignmentProblem(k));
  add(outputAlignmentProblem(n));
  return problems;
}

} // namespace loom::tile

// MmaAtoms: the tensor-core instructions a tile.dot can lower to, as a table.
#pragma once

#include "compiler/Transforms/Tile/GpuTargets.h"

#include "mlir/IR/Types.h"

#include <string>

namespace loom::tile {

/// One MMA instruction shape: operand and accumulator types, m x n x k, the PTX it issues.
struct MmaAtom {
  int minSm;
  bool needsWgmma;        ///< sm_90a only (wgmma + TMA + mbarrier pipeline)
  bool rowScalePrologue;  ///< the device-library GEMM on this atom supports the RMSNorm prologue
  llvm::StringRef operand; ///< "bf16" / "f16"
  int m, n, k;
  llvm::StringRef name;   ///< as the manifest and reports spell it
  llvm::StringRef instr;
};

llvm::ArrayRef<MmaAtom> mmaAtoms();

/// The first atom (best first) for `target`, `operand` element type and prologue; on failure,
/// `why` says why none fits.
const MmaAtom *selectMmaAtom(const GpuTarget &target, mlir::Type operand, bool rowScale,
                             std::string &why);

} // namespace loom::tile

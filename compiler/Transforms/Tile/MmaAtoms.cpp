// The MMA atom table and its selection.
#include "compiler/Transforms/Tile/MmaAtoms.h"

#include "llvm/Support/raw_ostream.h"

namespace loom::tile {

namespace {
const MmaAtom kAtoms[] = {
    {90, true, true, "bf16", 64, 256, 16, "wgmma.m64nNk16.bf16",
     "wgmma.mma_async.sync.aligned.m64nNk16.f32.bf16.bf16"},
    {80, false, true, "bf16", 16, 8, 16, "mma.sync.m16n8k16.bf16",
     "mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32"},
    {80, false, true, "f16", 16, 8, 16, "mma.sync.m16n8k16.f16",
     "mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32"},
};

std::string typeName(mlir::Type type) {
  std::string text;
  llvm::raw_string_ostream stream(text);
  type.print(stream);
  return text;
}
} // namespace

llvm::ArrayRef<MmaAtom> mmaAtoms() { return kAtoms; }

const MmaAtom *selectMmaAtom(const GpuTarget &target, mlir::Type operand, bool rowScale,
                             std::string &why) {
  std::string operandName = typeName(operand);
  for (const MmaAtom &atom : kAtoms) {
    if (atom.operand != operandName || target.sm < atom.minSm)
      continue;
    if (atom.needsWgmma && !target.hasWgmma)
      continue;
    if (rowScale && !atom.rowScalePrologue)
      continue;
    return &atom;
  }
  why = "no MMA atom for " + target.name.str() + " with " + operandName + " operands" +
        (rowScale ? " and a row-scale prologue" : "");
  return nullptr;
}

} // namespace loom::tile

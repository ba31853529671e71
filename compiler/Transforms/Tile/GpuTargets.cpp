// The target table: datasheet figures of the reference part of each architecture.
#include "compiler/Transforms/Tile/GpuTargets.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"

namespace loom::tile {

namespace {
const GpuTarget kTargets[] = {
    // name     sm  SMs  smem/block smem/SM  regs   threads wgmma  tma    HBM B/s   L2 B/s  bf16 flop/s
    {"sm_80",   80, 108, 166912,    167936,  65536, 2048,   false, false, 2.04e12,  5e12,  312e12}, // A100 80GB
    {"sm_89",   89, 142, 101376,    102400,  65536, 1536,   false, false, 0.864e12, 4e12,  362e12}, // L40S
    {"sm_90",   90, 132, 232448,    233472,  65536, 2048,   false, true,  3.35e12,  12e12, 989e12}, // H100 SXM
    {"sm_90a",  90, 132, 232448,    233472,  65536, 2048,   true,  true,  3.35e12,  12e12, 989e12}, // H100 SXM
};
} // namespace

llvm::ArrayRef<GpuTarget> gpuTargets() { return kTargets; }

const GpuTarget *findGpuTarget(llvm::StringRef name) {
  auto it = llvm::find_if(kTargets, [&](const GpuTarget &t) { return t.name == name; });
  return it == std::end(kTargets) ? nullptr : it;
}

const GpuTarget *findGpuTargetOrEmit(mlir::Operation *op, llvm::StringRef name) {
  const GpuTarget *target = findGpuTarget(name);
  if (!target)
    op->emitError() << "unknown target '" << name << "' (expected one of " << gpuTargetNames() << ")";
  return target;
}

std::string gpuTargetNames() {
  return llvm::join(llvm::map_range(kTargets, [](const GpuTarget &t) { return t.name; }), ", ");
}

} // namespace loom::tile

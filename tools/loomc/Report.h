// The --report table of loomc: per kernel its ops, tile configuration, MMA atom, shared memory,
// registers (ptxas), bytes, FLOPs, roofline time and the cost model's predicted time on the
// target; and the same kernels as a roofline chart (--report-svg).
#pragma once

#include "compiler/Transforms/Tile/GpuTargets.h"
#include "runtime/CUDA/CompiledKernel.h"

#include "mlir/IR/BuiltinOps.h"

#include <map>

namespace loom::loomc {

/// Prints the report of a compiled module; `compiled` holds each kernel's NVRTC result by name.
void printReport(mlir::ModuleOp module, const tile::GpuTarget &target,
                 const std::map<std::string, rt::CompiledKernel> &compiled, llvm::raw_ostream &os);

/// The module's kernels at their predicted times (the report's "predicted" column) as a
/// roofline SVG (RooflineSvg.h) titled `title`.
std::string reportSvg(mlir::ModuleOp module, const tile::GpuTarget &target,
                      const std::string &title);

} // namespace loom::loomc

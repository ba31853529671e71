// The --report table of loomc: per kernel its ops, tile configuration, MMA atom, shared memory,
// registers (ptxas), bytes, FLOPs and roofline time on the target.
#pragma once

#include "compiler/Transforms/Tile/GpuTargets.h"
#include "runtime/CUDA/CompiledKernel.h"

#include "mlir/IR/BuiltinOps.h"

#include <map>

namespace loom::loomc {

/// Prints the report of a compiled module; `compiled` holds each kernel's NVRTC result by name.
void printReport(mlir::ModuleOp module, const tile::GpuTarget &target,
                 const std::map<std::string, rt::CompiledKernel> &compiled, llvm::raw_ostream &os);

} // namespace loom::loomc

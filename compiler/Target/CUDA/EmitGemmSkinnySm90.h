// EmitGemmSkinnySm90: emitSkinnySm90, the wrapper of the wgmma skinny GEMM (loom/gemm_sm90_skinny.cuh).
#pragma once

#include "compiler/Target/CUDA/KernelSource.h"

#include <string>

namespace loom::cuda {

/// The pieces of a GEMM call that EmitGemm derives from the kernel's dot and its epilogue.
struct GemmCallParts {
  std::string x, w, m, n, k;   ///< operand names (TMA descriptors here) and size expressions
  std::string gating;          ///< loom::NoGating or loom::Gated<Op>
  std::string prologue;        ///< loom::NoPrologue or loom::RmsNormPrologue
  std::string prologueValue;   ///< its value, e.g. loom::RmsNormPrologue{1.0e-05f}
  std::string epilogue;        ///< loom::epi::makeEpilogue(...)
};

/// The source of a skinny GEMM kernel whose config has `split` and `consumers` (tile-tiling's
/// wgmma skinny configuration): Config = loom::sm90::SkinnySm90Config<max_m, split, ring>, a
/// cluster of `split` CTAs along grid y, and compile-time checks that the launch's threads and
/// shared memory are the ones the Config needs; an error when the config, block or shared bytes are missing.
mlir::FailureOr<std::string> emitSkinnySm90(tile::KernelOp kernel, KernelSource &source, const GemmCallParts &call);

} // namespace loom::cuda

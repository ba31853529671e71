// A compiled Hopper GEMM wrapper (test/gpu/Kernels/Sm90/Sm90Epilogues.h) for the loom-bench cases:
// the kernel, its encoded operands and its persistent grid size.
#pragma once

#include "test/gpu/Kernels/Sm90/Sm90Epilogues.h"
#include "tools/loom-bench/BenchSession.h"

namespace loom::bench {

struct Sm90BenchKernel {
  BenchKernel loaded;
  testing::Sm90GemmOperands operands;
  int residentCtas = 0;

  /// Compiles `spec` on `tile` and encodes X [m, k] and W [G*n, k] at `x` and `w`.
  static StatusOr<Sm90BenchKernel> create(BenchSession &session, const testing::Sm90GemmTile &tile,
                                          const testing::Sm90EpilogueSpec &spec, CUdeviceptr x,
                                          CUdeviceptr w, int m, int n, int k) {
    Sm90BenchKernel kernel;
    LOOM_ASSIGN_OR_RETURN(kernel.loaded,
                          session.compile(testing::sm90EpilogueKernelName(tile, spec),
                                          testing::sm90EpilogueSource(tile, spec)));
    LOOM_ASSIGN_OR_RETURN(kernel.operands,
                          testing::encodeSm90GemmOperands(session.context().api(), tile,
                                                          spec.launchShape(), x, w, m, n, k));
    LOOM_ASSIGN_OR_RETURN(kernel.residentCtas,
                          testing::sm90GemmResidentCtas(*kernel.loaded.kernel, tile));
    return kernel;
  }
};

} // namespace loom::bench

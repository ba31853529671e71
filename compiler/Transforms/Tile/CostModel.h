// CostModel: tile configurations per kernel family, checked against the target, ranked by a
// roofline estimate with wave quantization.
#pragma once

#include "compiler/Transforms/Tile/GpuTargets.h"
#include "compiler/Transforms/Tile/KernelAnalysis.h"

#include <map>

namespace loom::tile {

/// A chosen configuration and its launch shape.
struct TileConfig {
  std::map<std::string, int64_t> values; ///< the kernel's `config`
  int threads = 0;
  int sharedBytes = 0;                   ///< dynamic shared memory
  int staticSharedBytes = 0;             ///< static shared memory of the device code (KernelShape's)
  int registersEstimate = 0;
  std::array<std::string, 3> grid{"1", "1", "1"};
  double seconds = 0;                    ///< roofline estimate at the bounds
};

/// Why a configuration cannot launch on `target`, or "" when it can.
std::string launchProblem(const TileConfig &config, const GpuTarget &target);

/// The configurations the cost model considers for `shape` on `target` (feasible or not), with
/// their launch shape and estimated time.
std::vector<TileConfig> candidateConfigs(const KernelShape &shape, const GpuTarget &target);
/// Completes a configuration given by values (a tuning table entry) with its launch shape.
mlir::FailureOr<TileConfig> completeConfig(const KernelShape &shape, const GpuTarget &target,
                                           std::map<std::string, int64_t> values);

/// The roofline time of `bytes` and `flops` on `target`.
double rooflineSeconds(double bytes, double flops, const GpuTarget &target);

} // namespace loom::tile

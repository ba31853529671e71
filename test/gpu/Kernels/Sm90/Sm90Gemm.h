// Sm90Gemm: the host side of loom/gemm_sm90.cuh for tests and benchmarks: the tile table, the
// wrapper source the CUDA emitter would generate, tensor maps, launch geometry and the launch.
#pragma once

#include "runtime/CUDA/Launch.h"
#include "runtime/CUDA/TensorMap.h"

#include <fmt/format.h>

#include <algorithm>
#include <span>
#include <string>

namespace loom::testing {

/// One instantiation of loom::sm90::GemmSm90Config.
struct Sm90GemmTile {
  int blockM, blockN, stages, groupM;
};

/// Tiles worth comparing; the first is the default.
inline constexpr Sm90GemmTile kSm90GemmTiles[] = {
    {128, 256, 4, 16},
    {128, 256, 4, 8},
    {192, 128, 5, 16},
    {128, 128, 6, 16},
};

inline std::string sm90GemmKernelName(const Sm90GemmTile &tile) {
  return fmt::format("gemm_bf16_sm90_{}x{}_s{}_g{}", tile.blockM, tile.blockN, tile.stages,
                     tile.groupM);
}

/// The wrapper of the device template: Y = X W^T (+ bias), plain bf16 store.
inline std::string sm90GemmSource(const Sm90GemmTile &tile) {
  return fmt::format(R"cuda(#include "loom/gemm_sm90.cuh"
using Config = loom::sm90::GemmSm90Config<{}, {}, {}, {}>;
extern "C" __global__ __launch_bounds__(Config::kThreads, 1) void {}(
    const __grid_constant__ loom::sm90::TmaDescriptor x,
    const __grid_constant__ loom::sm90::TmaDescriptor w, loom::bf16 *y, const loom::bf16 *bias,
    int M, int N, int K) {{
  loom::sm90::gemmBf16Sm90<Config>(x, w, M, N, K, loom::sm90::StoreBf16{{y, N, bias}});
}}
)cuda",
                     tile.blockM, tile.blockN, tile.stages, tile.groupM,
                     sm90GemmKernelName(tile));
}

/// GemmSm90Config::kSharedBytes: alignment slack + stages of X and W tiles and two barriers.
inline unsigned sm90GemmSharedBytes(const Sm90GemmTile &tile) {
  return 1024 + tile.stages * ((tile.blockM + tile.blockN) * 64 * 2 + 16);
}

/// Persistent grid: one CTA per tile up to one per multiprocessor.
inline rt::LaunchConfig sm90GemmLaunchConfig(const Sm90GemmTile &tile, int M, int N,
                                             int multiprocessors) {
  const int tiles = ((M + tile.blockM - 1) / tile.blockM) * ((N + tile.blockN - 1) / tile.blockN);
  const unsigned threads = 128 * (tile.blockM / 64 + 1);
  return {{unsigned(std::min(tiles, multiprocessors)), 1, 1},
          {threads, 1, 1},
          sm90GemmSharedBytes(tile)};
}

/// The two operand tensor maps of one problem (encode once, launch many times).
struct Sm90GemmOperands {
  CUtensorMap x, w;
};

inline StatusOr<Sm90GemmOperands> encodeSm90GemmOperands(const rt::DriverApi &api,
                                                         const Sm90GemmTile &tile, CUdeviceptr x,
                                                         CUdeviceptr w, int M, int N, int K) {
  Sm90GemmOperands operands;
  LOOM_ASSIGN_OR_RETURN(operands.x, rt::tensorMapForGemmOperand(api, x, M, K, tile.blockM));
  LOOM_ASSIGN_OR_RETURN(operands.w, rt::tensorMapForGemmOperand(api, w, N, K, tile.blockN));
  return operands;
}

/// Y[M,N] = X[M,K] W[N,K]^T (+ bias[N] unless 0) on `stream`; nothing to do when M == 0.
inline Status launchSm90Gemm(rt::Kernel &kernel, const Sm90GemmTile &tile,
                             const Sm90GemmOperands &operands, CUdeviceptr y, CUdeviceptr bias,
                             int M, int N, int K, CUstream stream) {
  if (M == 0 || N == 0)
    return Status::ok();
  rt::KernelArgs args;
  args.add(operands.x).add(operands.w).add(y).add(bias).add(M).add(N).add(K);
  rt::LaunchConfig config =
      sm90GemmLaunchConfig(tile, M, N, kernel.context().info().multiprocessors);
  return rt::launchKernel(kernel, config, args, stream);
}

} // namespace loom::testing

// Sm90Gemm: the host side of loom/gemm_sm90.cuh for tests and benchmarks: the tile table, the
// wrapper source the CUDA emitter would generate, tensor maps, launch geometry and the launch.
#pragma once

#include "runtime/CUDA/CuCheck.h"
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
  int cluster = 1;          ///< CTAs sharing W tiles through TMA multicast
  bool stagedStores = true; ///< epilogue through shared memory, 16-byte row stores
};

/// Tiles worth comparing; the first is the default (docs/perf-wgmma.md, run 5).
inline constexpr Sm90GemmTile kSm90GemmTiles[] = {
    {128, 256, 4, 16},
    {128, 256, 4, 16, 1, false},
    {128, 256, 4, 16, 2},
    {128, 256, 4, 8},
    {192, 128, 5, 16},
    {128, 128, 6, 16},
};

/// What the wrapper does with the accumulators: gating and loom/epilogue.cuh parts.
struct Sm90GemmEpilogue {
  const char *name;
  int weightsPerOutput; ///< 2: W is [gate; up], Y = silu(X gate^T) * (X up^T)
  bool bias;            ///< Y += bias[col]
  const char *gating;   ///< the device Gating type
  const char *parts;    ///< the epilogue parts after (y, N)
};

inline constexpr Sm90GemmEpilogue kSm90Store{"store", 1, false, "loom::NoGating", ""};
inline constexpr Sm90GemmEpilogue kSm90Bias{"bias", 1, true, "loom::NoGating",
                                            ", loom::epi::Bias<loom::bf16>{bias}"};
inline constexpr Sm90GemmEpilogue kSm90GatedSilu{"gated_silu", 2, false, "loom::GatedSilu", ""};

inline std::string sm90GemmKernelName(const Sm90GemmTile &tile,
                                      const Sm90GemmEpilogue &epilogue = kSm90Store) {
  return fmt::format("gemm_bf16_sm90_{}x{}_s{}_g{}_c{}{}_{}", tile.blockM, tile.blockN,
                     tile.stages, tile.groupM, tile.cluster, tile.stagedStores ? "_st" : "",
                     epilogue.name);
}

/// GemmSm90Config::kSharedBytesWithoutStaging: alignment slack, stages of X and W tiles with
/// their two barriers (the compiler's cost model uses this formula).
inline unsigned sm90GemmSharedBytesWithoutStaging(const Sm90GemmTile &tile) {
  return 1024 + tile.stages * ((tile.blockM + tile.blockN) * 64 * 2 + 16);
}

/// GemmSm90Config::kSharedBytes: the above plus the epilogue staging (16 x 64 bf16 per
/// consumer warp) when the tile stages its stores.
inline unsigned sm90GemmSharedBytes(const Sm90GemmTile &tile) {
  const unsigned staging = tile.stagedStores ? (tile.blockM / 64) * 4 * 16 * 64 * 2 : 0;
  return sm90GemmSharedBytesWithoutStaging(tile) + staging;
}

/// The wrapper the CUDA emitter would write for one tile and epilogue; it asserts that the
/// device's shared-memory size is the one the host launches with.
inline std::string sm90GemmSource(const Sm90GemmTile &tile,
                                  const Sm90GemmEpilogue &epilogue = kSm90Store) {
  return fmt::format(R"cuda(#include "loom/gemm_sm90.cuh"
using Config = loom::sm90::GemmSm90Config<{}, {}, {}, {}, {}, {}>;
static_assert(Config::kSharedBytes == {}u && Config::kSharedBytesWithoutStaging == {}u,
              "host and device disagree on shared memory");
extern "C" __global__ __launch_bounds__(Config::kThreads, 1){} void {}(
    const __grid_constant__ loom::sm90::TmaDescriptor x,
    const __grid_constant__ loom::sm90::TmaDescriptor w, const loom::bf16 *bias, loom::bf16 *y,
    int M, int N, int K) {{
  loom::sm90::gemmBf16Sm90<Config, {}>(x, w, M, N, K, loom::epi::makeEpilogue(y, N{}));
}}
)cuda",
                     tile.blockM, tile.blockN, tile.stages, tile.groupM, tile.cluster,
                     tile.stagedStores ? "true" : "false", sm90GemmSharedBytes(tile),
                     sm90GemmSharedBytesWithoutStaging(tile),
                     tile.cluster > 1 ? " __cluster_dims__(Config::kCluster, 1, 1)" : "",
                     sm90GemmKernelName(tile, epilogue), epilogue.gating, epilogue.parts);
}

inline unsigned sm90GemmThreads(const Sm90GemmTile &tile) { return 128 * (tile.blockM / 64 + 1); }

/// How many CTAs of `kernel` run at once: one per multiprocessor, and for clusters what the
/// driver says fits (a GPC with an odd number of free SMs leaves one idle). A persistent grid
/// larger than this runs its surplus clusters after the others: twice the time.
inline StatusOr<int> sm90GemmResidentCtas(rt::Kernel &kernel, const Sm90GemmTile &tile) {
  const rt::Context &context = kernel.context();
  const int multiprocessors = context.info().multiprocessors;
  if (tile.cluster == 1)
    return multiprocessors;
  LOOM_RETURN_IF_ERROR(kernel.reserveDynamicShared(sm90GemmSharedBytes(tile)));
  CUlaunchConfig config{};
  config.gridDimX = unsigned(multiprocessors / tile.cluster * tile.cluster);
  config.gridDimY = config.gridDimZ = 1;
  config.blockDimX = sm90GemmThreads(tile);
  config.blockDimY = config.blockDimZ = 1;
  config.sharedMemBytes = sm90GemmSharedBytes(tile);
  int clusters = 0;
  LOOM_CU_CHECK_WITH(context.api(), context.api().cuOccupancyMaxActiveClusters(
                                        &clusters, kernel.function(), &config));
  return clusters * tile.cluster;
}

/// Persistent grid: one cluster per cluster tile (cluster x kBlockM rows, kBlockN / G columns)
/// up to `residentCtas` (sm90GemmResidentCtas).
inline rt::LaunchConfig sm90GemmLaunchConfig(const Sm90GemmTile &tile,
                                             const Sm90GemmEpilogue &epilogue, int M, int N,
                                             int residentCtas) {
  const int tileN = tile.blockN / epilogue.weightsPerOutput;
  const int clusterRows = tile.blockM * tile.cluster;
  const int clusterTiles = ((M + clusterRows - 1) / clusterRows) * ((N + tileN - 1) / tileN);
  const int clusters = std::max(1, std::min(clusterTiles, residentCtas / tile.cluster));
  return {{unsigned(clusters * tile.cluster), 1, 1},
          {sm90GemmThreads(tile), 1, 1},
          sm90GemmSharedBytes(tile)};
}

/// The two operand tensor maps of one problem (encode once, launch many times).
struct Sm90GemmOperands {
  CUtensorMap x, w;
};

/// X is [M,K] in boxes of kBlockM rows; W is [G*N,K] in boxes of kBlockN / max(G, cluster) rows.
inline StatusOr<Sm90GemmOperands> encodeSm90GemmOperands(const rt::DriverApi &api,
                                                         const Sm90GemmTile &tile,
                                                         const Sm90GemmEpilogue &epilogue,
                                                         CUdeviceptr x, CUdeviceptr w, int M,
                                                         int N, int K) {
  const int weights = epilogue.weightsPerOutput;
  const int boxes = std::max(weights, tile.cluster);
  Sm90GemmOperands operands;
  LOOM_ASSIGN_OR_RETURN(operands.x, rt::tensorMapForGemmOperand(api, x, M, K, tile.blockM));
  LOOM_ASSIGN_OR_RETURN(operands.w, rt::tensorMapForGemmOperand(api, w, uint64_t(weights) * N, K,
                                                                tile.blockN / boxes));
  return operands;
}

/// The launch itself with a given geometry (the wrapper's parameters in order).
inline Status launchSm90Gemm(rt::Kernel &kernel, const rt::LaunchConfig &config,
                             const Sm90GemmOperands &operands, CUdeviceptr bias, CUdeviceptr y,
                             int M, int N, int K, CUstream stream) {
  rt::KernelArgs args;
  args.add(operands.x).add(operands.w).add(bias).add(y).add(M).add(N).add(K);
  return rt::launchKernel(kernel, config, args, stream);
}

/// Y[M,N] = epilogue(X[M,K] W^T) on `stream` (bias is read only by a bias epilogue); nothing to
/// do when M == 0.
inline Status launchSm90Gemm(rt::Kernel &kernel, const Sm90GemmTile &tile,
                             const Sm90GemmEpilogue &epilogue, const Sm90GemmOperands &operands,
                             CUdeviceptr bias, CUdeviceptr y, int M, int N, int K,
                             int residentCtas, CUstream stream) {
  if (M == 0 || N == 0)
    return Status::ok();
  return launchSm90Gemm(kernel, sm90GemmLaunchConfig(tile, epilogue, M, N, residentCtas),
                        operands, bias, y, M, N, K, stream);
}

} // namespace loom::testing

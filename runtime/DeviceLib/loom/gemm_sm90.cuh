// loom/gemm_sm90.cuh: the Hopper (sm_90a) bf16 GEMM Y[M,N] = X[M,K] * W[N,K]^T, f32 accumulation:
// TMA loads into an mbarrier ring, warp-specialised producer and wgmma consumer warpgroups,
// persistent CTAs walking output tiles in M-grouped order.
//
// How it works. Warpgroup 0 is the producer: one thread waits for a free stage ("empty"
// barrier), announces the stage's bytes on its "full" barrier and issues two TMA box loads
// (X: kBlockK x kBlockM, W: kBlockK x kBlockN, 128B swizzle). Warpgroups 1..kConsumers each own
// 64 rows of the tile: per stage they wait on "full", issue kBlockK/16 wgmma m64nNk16 into
// registers, commit, wait until the previous stage's group is done and release that stage.
// Persistent CTAs take tiles blockIdx.x, blockIdx.x + gridDim.x, ...; the ring keeps running across
// tiles, so the producer loads the next tile while the consumers run the epilogue. K tails and
// M/N tails read zeros (TMA fills out-of-bounds box elements); the epilogue stores in bounds only.
//
// Wrapper contract (what the CUDA emitter generates for one GEMM, Config = GemmSm90Config<...>):
//   extern "C" __global__ __launch_bounds__(Config::kThreads, 1) void name(
//       const __grid_constant__ loom::sm90::TmaDescriptor x,   // X [M,K]: box {64, kBlockM}
//       const __grid_constant__ loom::sm90::TmaDescriptor w,   // W [N,K]: box {64, kBlockN}
//       <epilogue arguments>, int M, int N, int K) {
//     loom::sm90::gemmBf16Sm90<Config>(x, w, M, N, K, Epilogue{...});
//   }
//   Descriptors: row-major bf16, 128B swizzle (runtime/CUDA/TensorMap.h, tensorMapForGemmOperand).
//   Requires K % 8 == 0 (TMA row stride is a multiple of 16 B) and N % 2 == 0 (paired stores).
//   grid.x = min(ceil(M / kBlockM) * ceil(N / kBlockN), multiprocessors); no launch when M == 0.
//   block.x = Config::kThreads; dynamic shared memory = Config::kSharedBytes; sm_90a only.
// An epilogue is a type with `__device__ void operator()(int row, int col, float v0, float v1)
// const` that finishes and stores Y[row][col] and Y[row][col + 1] (col even, both in bounds).
#pragma once

#include "loom/mbarrier.cuh"
#include "loom/tma.cuh"
#include "loom/types.cuh"
#include "loom/wgmma.cuh"

namespace loom::sm90 {

/// A tile configuration: output tile kBlockM x kBlockN, kStages shared-memory stages, tiles
/// visited in groups of kGroupM tile rows (tiles running together share X and W panels in L2).
template <int BlockM, int BlockN, int Stages, int GroupM> struct GemmSm90Config {
  static_assert(BlockM == 128 || BlockM == 192, "64 rows per consumer, two or three consumers");
  static_assert(BlockN == 128 || BlockN == 256, "a wgmma N this library instantiates");
  static_assert(Stages >= 2 && GroupM >= 1, "a ring needs two stages");
  static constexpr int kBlockM = BlockM;
  static constexpr int kBlockN = BlockN;
  static constexpr int kBlockK = 64; ///< one 128-byte swizzle row of bf16
  static constexpr int kStages = Stages;
  static constexpr int kGroupM = GroupM;
  static constexpr int kConsumers = BlockM / 64;
  static constexpr int kThreads = 128 * (kConsumers + 1);
  static constexpr unsigned kTileXBytes = BlockM * kBlockK * 2;
  static constexpr unsigned kTileWBytes = BlockN * kBlockK * 2;
  static constexpr unsigned kStageBytes = kTileXBytes + kTileWBytes;
  /// Stages, 16 B of barriers per stage, and 1024 B of slack to align the ring for the swizzle.
  static constexpr unsigned kSharedBytes = 1024 + Stages * (kStageBytes + 16);
  /// Register budgets after setmaxnreg: the producer keeps 24, consumers share the rest.
  static constexpr int kProducerRegisters = 24;
  static constexpr int kConsumerRegisters =
      ((65536 - 128 * kProducerRegisters) / (128 * kConsumers)) / 8 * 8 > 240
          ? 240
          : ((65536 - 128 * kProducerRegisters) / (128 * kConsumers)) / 8 * 8;
};

/// The default epilogue: Y = acc (+ bias[col] when bias is not null), stored as bf16.
struct StoreBf16 {
  bf16 *y;
  int rowStride;
  const bf16 *bias;
  __device__ __forceinline__ void operator()(int row, int col, float v0, float v1) const {
    if (bias) {
      v0 += toFloat(bias[col]);
      v1 += toFloat(bias[col + 1]);
    }
    *reinterpret_cast<bf16x2 *>(y + static_cast<long long>(row) * rowStride + col) =
        toBf16x2(v0, v1);
  }
};

/// The origin of output tile `tile` in M-grouped order: kGroupM tile rows, then the next column.
template <class Config> struct GemmTileOrder {
  int tilesM, tilesN;
  __device__ __forceinline__ int count() const { return tilesM * tilesN; }
  __device__ __forceinline__ void origin(int tile, int &m0, int &n0) const {
    const int tilesPerGroup = Config::kGroupM * tilesN;
    const int group = tile / tilesPerGroup;
    const int firstM = group * Config::kGroupM;
    const int rowsInGroup = min(tilesM - firstM, Config::kGroupM);
    const int inGroup = tile - group * tilesPerGroup;
    m0 = (firstM + inGroup % rowsInGroup) * Config::kBlockM;
    n0 = (inGroup / rowsInGroup) * Config::kBlockN;
  }
};

/// Shared-memory addresses of the ring: stage tiles first (1024-byte aligned), then barriers.
template <class Config> struct GemmRing {
  unsigned base;
  __device__ __forceinline__ unsigned tileX(int stage) const {
    return base + stage * Config::kStageBytes;
  }
  __device__ __forceinline__ unsigned tileW(int stage) const {
    return tileX(stage) + Config::kTileXBytes;
  }
  __device__ __forceinline__ unsigned full(int stage) const {
    return base + Config::kStages * Config::kStageBytes + 8 * stage;
  }
  __device__ __forceinline__ unsigned empty(int stage) const {
    return full(Config::kStages) + 8 * stage;
  }
};

/// A stage index and the parity of its barriers' current phase; advances around the ring.
template <int Stages> struct RingPosition {
  int stage = 0;
  unsigned parity = 0;
  __device__ __forceinline__ void advance() {
    if (++stage == Stages) {
      stage = 0;
      parity ^= 1;
    }
  }
};

template <class Config>
__device__ __forceinline__ void gemmProducer(const TmaDescriptor &x, const TmaDescriptor &w,
                                             const GemmRing<Config> &ring,
                                             const GemmTileOrder<Config> &order, int kBlocks) {
  tmaPrefetchDescriptor(x);
  tmaPrefetchDescriptor(w);
  RingPosition<Config::kStages> position;
  for (int tile = blockIdx.x; tile < order.count(); tile += gridDim.x) {
    int m0, n0;
    order.origin(tile, m0, n0);
    for (int kBlock = 0; kBlock < kBlocks; ++kBlock) {
      // A fresh barrier counts as having completed the phase before phase 0: parity ^ 1.
      mbarrierWait(ring.empty(position.stage), position.parity ^ 1);
      const unsigned full = ring.full(position.stage);
      mbarrierArriveExpectBytes(full, Config::kStageBytes);
      const int k0 = kBlock * Config::kBlockK;
      tmaLoad2d(ring.tileX(position.stage), x, k0, m0, full);
      tmaLoad2d(ring.tileW(position.stage), w, k0, n0, full);
      position.advance();
    }
  }
}

template <class Config, class Epilogue>
__device__ __forceinline__ void gemmConsumer(int consumer, const GemmRing<Config> &ring,
                                             const GemmTileOrder<Config> &order, int kBlocks,
                                             int M, int N, const Epilogue &epilogue) {
  constexpr int kBlockN = Config::kBlockN;
  const bool releases = threadIdx.x % 128 == 0;
  const int warp = (threadIdx.x % 128) / 32, lane = threadIdx.x % 32;
  float acc[kBlockN / 2];
  RingPosition<Config::kStages> position;
  for (int tile = blockIdx.x; tile < order.count(); tile += gridDim.x) {
    int m0, n0;
    order.origin(tile, m0, n0);
#pragma unroll
    for (int i = 0; i < kBlockN / 2; ++i)
      acc[i] = 0.0f;
    int previousStage = -1;
    for (int kBlock = 0; kBlock < kBlocks; ++kBlock) {
      mbarrierWait(ring.full(position.stage), position.parity);
      const unsigned tileX = ring.tileX(position.stage) + consumer * 64 * 128;
      const unsigned tileW = ring.tileW(position.stage);
      wgmmaFence();
#pragma unroll
      for (int k = 0; k < Config::kBlockK / 16; ++k)
        WgmmaBf16<kBlockN>::mma(acc, wgmmaDescriptor128B(tileX + 32 * k),
                                wgmmaDescriptor128B(tileW + 32 * k), 1);
      wgmmaCommitGroup();
      // Keep this stage's group in flight; the previous stage's is done and its slot is free.
      wgmmaWaitGroup<1>();
      if (releases && previousStage >= 0)
        mbarrierArrive(ring.empty(previousStage));
      previousStage = position.stage;
      position.advance();
    }
    wgmmaWaitGroup<0>();
    wgmmaFenceOperands(acc);
    if (releases && previousStage >= 0)
      mbarrierArrive(ring.empty(previousStage));

    const int row0 = m0 + consumer * 64 + 16 * warp + lane / 4;
#pragma unroll
    for (int j = 0; j < kBlockN / 8; ++j) {
      const int col = n0 + 8 * j + 2 * (lane % 4);
      if (col < N) {
        if (row0 < M)
          epilogue(row0, col, acc[4 * j], acc[4 * j + 1]);
        if (row0 + 8 < M)
          epilogue(row0 + 8, col, acc[4 * j + 2], acc[4 * j + 3]);
      }
    }
  }
}

/// The whole GEMM for one persistent CTA; call from a wrapper that has the contract above.
template <class Config, class Epilogue>
__device__ __forceinline__ void gemmBf16Sm90(const TmaDescriptor &x, const TmaDescriptor &w,
                                             int M, int N, int K, const Epilogue &epilogue) {
  extern __shared__ unsigned char gemmShared[];
  const GemmRing<Config> ring{(sharedAddress(gemmShared) + 1023u) & ~1023u};
  if (threadIdx.x == 0) {
    for (int stage = 0; stage < Config::kStages; ++stage) {
      mbarrierInit(ring.full(stage), 1);
      mbarrierInit(ring.empty(stage), Config::kConsumers);
    }
    mbarrierInitFence();
  }
  __syncthreads();

  const GemmTileOrder<Config> order{(M + Config::kBlockM - 1) / Config::kBlockM,
                                    (N + Config::kBlockN - 1) / Config::kBlockN};
  const int kBlocks = (K + Config::kBlockK - 1) / Config::kBlockK;
  const int warpgroup = threadIdx.x / 128;
  if (warpgroup == 0) {
    warpgroupRegistersDecrease<Config::kProducerRegisters>();
    if (threadIdx.x == 0)
      gemmProducer<Config>(x, w, ring, order, kBlocks);
  } else {
    warpgroupRegistersIncrease<Config::kConsumerRegisters>();
    gemmConsumer<Config>(warpgroup - 1, ring, order, kBlocks, M, N, epilogue);
  }
}

} // namespace loom::sm90

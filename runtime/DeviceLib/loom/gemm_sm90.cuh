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
// Epilogue: with bf16 output (kStagedStores, the default) each consumer warp passes its 16-row
// slice through a 2 KiB shared buffer, 64 columns at a time, and writes 16-byte row pieces; a
// bf16 residual add (and the parts after it) is applied to those pieces, read with 16-byte loads
// one 64-column quarter ahead (docs/perf-gemm.md, session 5).
//
// Clusters (kCluster = 2): the two CTAs of a cluster take vertically adjacent tiles with the same
// W tile; each loads half of the W boxes and multicasts it to both, halving W's L2 traffic. A
// stage is free when the consumers of both CTAs have released it (remote mbarrier arrivals).
//
// Merged gate/up projections (Gating = Gated<Op>, W = [gate rows 0..N); up rows N..2N)): each
// stage holds kBlockN / 2 gate rows and the matching up rows, so the CTA's output tile is
// kBlockM x kBlockN / 2 and the epilogue gets Op(gate) * up.
//
// Wrapper contract (what the CUDA emitter generates for one GEMM, Config = GemmSm90Config<...>):
//   extern "C" __global__ __launch_bounds__(Config::kThreads, 1) [__cluster_dims__(C, 1, 1)]
//   void fused_linear_3(
//       const __grid_constant__ loom::sm90::TmaDescriptor x,   // X [M,K]:   box {64, kBlockM}
//       const __grid_constant__ loom::sm90::TmaDescriptor w,   // W [G*N,K]: box {64, kBlockN / B}
//       <epilogue pointers>, bf16 *y, int M, int N, int K) {
//     loom::sm90::gemmBf16Sm90<Config, loom::NoGating>(
//         x, w, M, N, K, loom::epi::makeEpilogue(y, N, <parts>...)[, loom::RmsNormPrologue{eps}]);
//   }
//   G = Gating::kWeightsPerOutput (1, or 2 for Gated). N is the number of outputs per row.
//   C = Config::kCluster; the attribute only when C > 1. B = max(G, C) W boxes per stage.
//   Descriptors: row-major bf16, 128B swizzle (runtime/CUDA/TensorMap.h, tensorMapForGemmOperand).
//   Requires K % 8 == 0 (TMA row stride is a multiple of 16 B) and N % 8 == 0 (paired stores and
//   the epilogue's 16-byte alignment, as loom/gemm.cuh); M, N and K need not divide the tile.
//   y and epilogue pointers 16-byte aligned.
//   clusterTiles = ceil(M / (C * kBlockM)) * ceil(N / (kBlockN / G)); grid.x = C * min(
//   clusterTiles, resident clusters) (multiprocessors / C, or cuOccupancyMaxActiveClusters:
//   a persistent grid larger than what fits runs its surplus afterwards, at twice the time);
//   no launch when M == 0. block.x = Config::kThreads; dynamic shared memory =
//   Config::kSharedBytes (1024 + stages * (stage bytes + 16) + consumers * 8 KiB of staging);
//   Config::kSharedBytesWithoutStaging also works, with the slower pair stores. Above 48 KB
//   rt::launchKernel raises the limit; sm_90a only.
// Epilogues are loom/epilogue.cuh's: `operator()(int row, int col, float v0, float v1) const`
// finishes and stores Y[row][col] and Y[row][col + 1] (col even, both in bounds).
#pragma once

#include "loom/epilogue.cuh"
#include "loom/mbarrier.cuh"
#include "loom/tma.cuh"
#include "loom/types.cuh"
#include "loom/wgmma.cuh"

namespace loom::sm90 {

/// A tile configuration: output tile kBlockM x kBlockN, kStages shared-memory stages, tiles
/// visited in groups of kGroupM tile rows (tiles running together share X and W panels in L2),
/// kCluster CTAs (consecutive tile rows) per cluster sharing each W tile through TMA multicast.
/// kStagedStores: bf16 outputs leave through a per-warp shared-memory buffer as 16-byte rows
/// (full 32-byte sectors) instead of the fragments' 4-byte pairs (10% faster at 4096^3, see
/// docs/perf-wgmma.md); other outputs use the pair stores, and so does a launch that gave only
/// kSharedBytesWithoutStaging (checked in the kernel against %dynamic_smem_size).
template <int BlockM, int BlockN, int Stages, int GroupM, int Cluster = 1,
          bool StagedStores = true>
struct GemmSm90Config {
  static_assert(BlockM == 128 || BlockM == 192, "64 rows per consumer, two or three consumers");
  static_assert(BlockN == 128 || BlockN == 256, "a wgmma N this library instantiates");
  static_assert(BlockM * BlockN <= 128 * 256,
                "192x256 does not fit: 512 threads start with 128 registers each, fewer than a "
                "64x256 wgmma's 128 accumulators need (ptxas C7602)");
  static_assert(Stages >= 2 && GroupM >= 1, "a ring needs two stages");
  static_assert(Cluster == 1 || Cluster == 2, "one CTA, or two sharing W");
  static constexpr int kBlockM = BlockM;
  static constexpr int kBlockN = BlockN;
  static constexpr int kBlockK = 64; ///< one 128-byte swizzle row of bf16
  static constexpr int kStages = Stages;
  static constexpr int kGroupM = GroupM;
  static constexpr int kCluster = Cluster;
  static constexpr bool kStagedStores = StagedStores;
  static constexpr int kConsumers = BlockM / 64;
  static constexpr int kThreads = 128 * (kConsumers + 1);
  static constexpr unsigned kTileXBytes = BlockM * kBlockK * 2;
  static constexpr unsigned kTileWBytes = BlockN * kBlockK * 2;
  static constexpr unsigned kStageBytes = kTileXBytes + kTileWBytes;
  /// Staging for the epilogue: 16 rows x 64 columns of bf16 per consumer warp.
  static constexpr unsigned kStagingBytesPerWarp = 16 * 64 * 2;
  static constexpr unsigned kStagingBytes =
      StagedStores ? kConsumers * 4 * kStagingBytesPerWarp : 0;
  /// 1024 B of slack to align the ring for the swizzle, the stages with 16 B of barriers each,
  /// then the epilogue staging (16-byte aligned: stages are multiples of 1 KiB).
  static constexpr unsigned kSharedBytesWithoutStaging = 1024 + Stages * (kStageBytes + 16);
  static constexpr unsigned kSharedBytes = kSharedBytesWithoutStaging + kStagingBytes;
  /// Register budgets after setmaxnreg: the producer keeps 24, consumers share the rest.
  static constexpr int kProducerRegisters = 24;
  static constexpr int kConsumerRegisters =
      ((65536 - 128 * kProducerRegisters) / (128 * kConsumers)) / 8 * 8 > 240
          ? 240
          : ((65536 - 128 * kProducerRegisters) / (128 * kConsumers)) / 8 * 8;
};

/// The tiles of one CTA. Output tiles are kBlockM x kTileN (kBlockN, or half of it for merged
/// gate/up weights); a cluster takes kCluster vertically adjacent ones (a cluster tile) at a
/// time, cluster tiles in M-grouped order: kGroupM tile rows, then the next column. A cluster
/// tile row may reach past M: those CTAs load zeros and store nothing.
template <class Config, int TileN> struct GemmTileOrder {
  static constexpr int kTileN = TileN;
  static constexpr int kGroupRows = Config::kGroupM / Config::kCluster > 0
                                        ? Config::kGroupM / Config::kCluster
                                        : 1;
  int tilesM, tilesN; ///< cluster tile rows, tile columns
  unsigned rank;      ///< of this CTA in its cluster
  __device__ __forceinline__ GemmTileOrder(int M, int N)
      : tilesM((M + Config::kBlockM * Config::kCluster - 1) / (Config::kBlockM * Config::kCluster)),
        tilesN((N + TileN - 1) / TileN), rank(Config::kCluster > 1 ? clusterCtaRank() : 0) {}
  __device__ __forceinline__ int first() const { return blockIdx.x / Config::kCluster; }
  __device__ __forceinline__ int stride() const { return gridDim.x / Config::kCluster; }
  __device__ __forceinline__ int count() const { return tilesM * tilesN; }
  __device__ __forceinline__ void origin(int tile, int &m0, int &n0) const {
    const int tilesPerGroup = kGroupRows * tilesN;
    const int group = tile / tilesPerGroup;
    const int firstM = group * kGroupRows;
    const int rowsInGroup = min(tilesM - firstM, kGroupRows);
    const int inGroup = tile - group * tilesPerGroup;
    m0 = ((firstM + inGroup % rowsInGroup) * Config::kCluster + int(rank)) * Config::kBlockM;
    n0 = (inGroup / rowsInGroup) * TileN;
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
  /// The epilogue buffer of consumer warp `warp` (0 .. 4 * kConsumers - 1).
  __device__ __forceinline__ unsigned staging(int warp) const {
    return full(0) + Config::kStages * 16 + warp * Config::kStagingBytesPerWarp;
  }
  /// Whether the launch gave enough dynamic shared memory for the staging buffers too.
  __device__ __forceinline__ bool hasStaging(unsigned sharedBase) const {
    unsigned dynamicBytes;
    asm("mov.u32 %0, %%dynamic_smem_size;" : "=r"(dynamicBytes));
    return staging(4 * Config::kConsumers) - sharedBase <= dynamicBytes;
  }
};

/// Whether an epilogue can use staged stores: loom::epi::Epilogue with bf16 output.
template <class Epilogue> struct StagedEpilogue {
  static constexpr bool kSupported = false;
};
template <class... Parts> struct StagedEpilogue<epi::Epilogue<bf16, Parts...>> {
  static constexpr bool kSupported = true;
};

/// Whether a part is a bf16 residual add, which staged stores apply after the staging buffer.
template <class Part> struct IsBf16Residual {
  static constexpr bool kValue = false;
};
template <> struct IsBf16Residual<epi::Residual<bf16>> {
  static constexpr bool kValue = true;
};

/// The index of the first bf16 residual part in Parts, or sizeof...(Parts) without one.
template <class... Parts> struct FirstResidual {
  static constexpr int kIndex = 0;
};
template <class First, class... Rest> struct FirstResidual<First, Rest...> {
  static constexpr int kIndex =
      IsBf16Residual<First>::kValue ? 0 : 1 + FirstResidual<Rest...>::kIndex;
};

/// Applies the parts with index in [Begin, End) to v, in order.
template <int Begin, int End, int Index = 0, class... Parts>
__device__ __forceinline__ float applyParts(const epi::PartList<Parts...> &parts, float v,
                                            int row, int col) {
  if constexpr (sizeof...(Parts) == 0 || Index >= End) {
    return v;
  } else {
    if constexpr (Index >= Begin)
      v = parts.first(v, row, col);
    return applyParts<Begin, End, Index + 1>(parts.rest, v, row, col);
  }
}

/// The part at `Index`.
template <int Index, class First, class... Rest>
__device__ __forceinline__ const auto &partAt(const epi::PartList<First, Rest...> &parts) {
  if constexpr (Index == 0)
    return parts.first;
  else
    return partAt<Index - 1>(parts.rest);
}

/// Unpacks a bf16x2 word into two floats.
__device__ __forceinline__ void unpackBf16x2(unsigned bits, float &lo, float &hi) {
  bf16x2 pair;
  pair.bits = bits;
  lo = toFloat(low(pair));
  hi = toFloat(high(pair));
}

/// The bf16 residual one lane adds in a quarter (64 columns from col0) of its warp's 16-row
/// slice: rows row0 + lane / 8 + 4 * pass, columns col0 + 8 * (lane % 8) .. + 7, one 16-byte load
/// per pass (zeros outside the output). Nothing without a bf16 residual part.
template <class... Parts>
__device__ __forceinline__ void loadResidualQuarter(const epi::Epilogue<bf16, Parts...> &epilogue,
                                                    int row0, int col0, int M, int N,
                                                    uint4 (&pieces)[4]) {
  constexpr int kSplit = FirstResidual<Parts...>::kIndex;
  if constexpr (kSplit < int(sizeof...(Parts))) {
    const auto &part = partAt<kSplit>(epilogue.parts);
    const int lane = threadIdx.x % 32;
#pragma unroll
    for (int pass = 0; pass < 4; ++pass) {
      const int row = row0 + lane / 8 + 4 * pass, col = col0 + (lane % 8) * 8;
      pieces[pass] = row < M && col < N
                         ? *reinterpret_cast<const uint4 *>(
                               part.residual + static_cast<long long>(row) * part.rowStride + col)
                         : make_uint4(0, 0, 0, 0);
    }
  }
}

/// Stores one warp's 16 x kTileN slice of the tile through its staging buffer: fragments go in
/// as 4-byte pairs (16-byte chunks XOR-swizzled by row: no bank conflicts), come out as 16-byte
/// row pieces, and 8 lanes write each 128-byte row segment. values(e) gives the (gated)
/// accumulator of fragment register e; N % 8 == 0 keeps every 8-column chunk all in or all out.
/// The parts before the first bf16 residual run on the fragments; the residual and what follows
/// run on the 16-byte row pieces, whose residual comes in one 16-byte load per lane and pass
/// (a fragment's 4-byte reads cover half sectors and stall the consumers, as pair stores did),
/// one quarter ahead: `residual` holds the first quarter's on entry (loadResidualQuarter, issued
/// by the caller before its last wgmma wait). The value is rounded to bf16 before the residual
/// is added, as in a separate residual kernel after the GEMM.
template <int TileN, class Values, class... Parts>
__device__ __forceinline__ void storeWarpSliceStaged(const epi::Epilogue<bf16, Parts...> &epilogue,
                                                     unsigned staging, int row0, int n0, int M,
                                                     int N, const Values &values,
                                                     uint4 (&residual)[4]) {
  constexpr int kParts = sizeof...(Parts);
  constexpr int kSplit = FirstResidual<Parts...>::kIndex;
  const int lane = threadIdx.x % 32;
#pragma unroll
  for (int quarter = 0; quarter < TileN / 64; ++quarter) {
    uint4 added[4];
    if constexpr (kSplit < kParts) {
#pragma unroll
      for (int pass = 0; pass < 4; ++pass)
        added[pass] = residual[pass];
      if (quarter + 1 < TileN / 64)
        loadResidualQuarter(epilogue, row0, n0 + (quarter + 1) * 64, M, N, residual);
    }
#pragma unroll
    for (int chunk = 0; chunk < 8; ++chunk) {
      const int j = quarter * 8 + chunk;
#pragma unroll
      for (int half = 0; half < 2; ++half) {
        const int r = lane / 4 + 8 * half;
        const int row = row0 + r, col = n0 + 8 * j + 2 * (lane % 4);
        const float v0 = applyParts<0, kSplit>(epilogue.parts, values(4 * j + 2 * half), row, col);
        const float v1 =
            applyParts<0, kSplit>(epilogue.parts, values(4 * j + 2 * half + 1), row, col + 1);
        const unsigned at = staging + r * 128 + ((chunk ^ (r % 8)) * 16) + (lane % 4) * 4;
        asm volatile("st.shared.b32 [%0], %1;" ::"r"(at), "r"(toBf16x2(v0, v1).bits) : "memory");
      }
    }
    __syncwarp();
#pragma unroll
    for (int pass = 0; pass < 4; ++pass) {
      const int r = lane / 8 + 4 * pass, chunk = lane % 8;
      const unsigned at = staging + r * 128 + ((chunk ^ (r % 8)) * 16);
      unsigned piece[4];
      asm volatile("ld.shared.v4.b32 {%0, %1, %2, %3}, [%4];"
                   : "=r"(piece[0]), "=r"(piece[1]), "=r"(piece[2]), "=r"(piece[3])
                   : "r"(at)
                   : "memory");
      const int row = row0 + r, col = n0 + quarter * 64 + chunk * 8;
      if constexpr (kSplit < kParts) {
        const unsigned words[4] = {added[pass].x, added[pass].y, added[pass].z, added[pass].w};
#pragma unroll
        for (int i = 0; i < 4; ++i) {
          float v0, v1, r0, r1;
          unpackBf16x2(piece[i], v0, v1);
          unpackBf16x2(words[i], r0, r1);
          v0 = applyParts<kSplit + 1, kParts>(epilogue.parts, v0 + r0, row, col + 2 * i);
          v1 = applyParts<kSplit + 1, kParts>(epilogue.parts, v1 + r1, row, col + 2 * i + 1);
          piece[i] = toBf16x2(v0, v1).bits;
        }
      }
      if (row < M && col < N) {
        bf16 *to = epilogue.output.y + static_cast<long long>(row) * epilogue.output.rowStride + col;
        asm volatile("st.global.v4.b32 [%0], {%1, %2, %3, %4};" ::"l"(to), "r"(piece[0]),
                     "r"(piece[1]), "r"(piece[2]), "r"(piece[3])
                     : "memory");
      }
    }
    __syncwarp();
  }
}

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

/// W arrives in max(G, kCluster) boxes of kBlockN / boxes rows: box b holds rows n0 + b * N
/// (gated: gate, then up) or n0 + b * rows. With a cluster, CTA rank b loads box b for all.
template <class Config, int WeightsPerOutput> struct WeightBoxes {
  static constexpr int kCount = WeightsPerOutput > Config::kCluster ? WeightsPerOutput
                                                                    : Config::kCluster;
  static constexpr int kRows = Config::kBlockN / kCount;
  static __device__ __forceinline__ int row(int box, int n0, int N) {
    return n0 + box * (WeightsPerOutput == 2 ? N : kRows);
  }
};

template <class Config, class Order>
__device__ __forceinline__ void gemmProducer(const TmaDescriptor &x, const TmaDescriptor &w,
                                             const GemmRing<Config> &ring, const Order &order,
                                             int N, int kBlocks) {
  using Boxes = WeightBoxes<Config, Config::kBlockN / Order::kTileN>;
  tmaPrefetchDescriptor(x);
  tmaPrefetchDescriptor(w);
  RingPosition<Config::kStages> position;
  for (int tile = order.first(); tile < order.count(); tile += order.stride()) {
    int m0, n0;
    order.origin(tile, m0, n0);
    for (int kBlock = 0; kBlock < kBlocks; ++kBlock) {
      // A fresh barrier counts as having completed the phase before phase 0: parity ^ 1.
      mbarrierWait(ring.empty(position.stage), position.parity ^ 1);
      const unsigned full = ring.full(position.stage);
      mbarrierArriveExpectBytes(full, Config::kStageBytes);
      const int k0 = kBlock * Config::kBlockK;
      tmaLoad2d(ring.tileX(position.stage), x, k0, m0, full);
      if constexpr (Config::kCluster == 1) {
#pragma unroll
        for (int box = 0; box < Boxes::kCount; ++box)
          tmaLoad2d(ring.tileW(position.stage) + box * Boxes::kRows * 128, w, k0,
                    Boxes::row(box, n0, N), full);
      } else {
        const int box = int(order.rank);
        tmaLoad2dMulticast(ring.tileW(position.stage) + box * Boxes::kRows * 128, w, k0,
                           Boxes::row(box, n0, N), full, (1u << Config::kCluster) - 1);
      }
      position.advance();
    }
  }
}

/// The sum of squares of `Chunks` 16-byte chunks (logical first .. first + Chunks - 1) of row `row`
/// of a 128B-swizzled stage tile: chunk c of a row sits at chunk c ^ (row % 8).
template <int Chunks>
__device__ __forceinline__ float sumSquaresOfRowChunks(unsigned tile, int row, int first) {
  float sum = 0.0f;
#pragma unroll
  for (int pass = 0; pass < Chunks; ++pass) {
    const unsigned chunk = unsigned(first + pass) ^ unsigned(row % 8);
    unsigned words[4];
    asm volatile("ld.shared.v4.b32 {%0, %1, %2, %3}, [%4];"
                 : "=r"(words[0]), "=r"(words[1]), "=r"(words[2]), "=r"(words[3])
                 : "r"(tile + row * 128 + chunk * 16));
#pragma unroll
    for (int i = 0; i < 4; ++i) {
      const float lo = __uint_as_float(words[i] << 16), hi = __uint_as_float(words[i] & 0xffff0000u);
      sum = fmaf(lo, lo, fmaf(hi, hi, sum));
    }
  }
  return sum;
}

/// RmsNormPrologue on this kernel: two lanes per row sum the squares of their warp's 16 X rows
/// from each stage (lane l: row l / 2, half l % 2 of its 128 bytes). A stage row holds its eight
/// 16-byte chunks in swizzled order, which a sum ignores; pass i reads chunk (4 (l % 2) + i) ^
/// (row % 8), so the eight rows of a 1 KiB swizzle atom hit different banks. Called after the
/// stage's wgmma issue: the loads are consumed before the warpgroup's next collective wgmma, and
/// the stage is released only after it.
__device__ __forceinline__ float sumSquaresOfStageRow(unsigned consumerTileX, int warp, int lane) {
  return sumSquaresOfRowChunks<4>(consumerTileX, 16 * warp + lane / 2, 4 * (lane % 2));
}

/// The row scales rsqrt(mean(x^2) + eps) of a lane's two fragment rows (lane / 4 and lane / 4 + 8
/// of its warp's 16) from the per-lane sums of sumSquaresOfStageRow.
__device__ __forceinline__ void fragmentRowScales(float sum, int lane, int K, float eps,
                                                  float (&scale)[2]) {
  sum += __shfl_xor_sync(0xffffffffu, sum, 1);
  const float rowScale = rsqrtf(sum / float(K) + eps);
  scale[0] = __shfl_sync(0xffffffffu, rowScale, 2 * (lane / 4));
  scale[1] = __shfl_sync(0xffffffffu, rowScale, 2 * (lane / 4) + 16);
}

/// Arrivals per consumer warpgroup that free a stage: one thread after its wgmma wait, or, when
/// the prologue reads X stages with ld.shared, one lane per warp after that warp's reads (wgmma's
/// .sync.aligned does not make the warpgroup's four warps wait for one another).
template <class Prologue> inline constexpr int kStageReleasesPerConsumer = Prologue::kRowScale ? 4 : 1;

template <class Config, class Gating, class Order, class Epilogue, class Prologue>
__device__ __forceinline__ void gemmConsumer(int consumer, const GemmRing<Config> &ring,
                                             const Order &order, int kBlocks, int M, int N,
                                             int K, bool staged, const Epilogue &epilogue,
                                             const Prologue &prologue) {
  constexpr int kBlockN = Config::kBlockN;
  const int warp = (threadIdx.x % 128) / 32, lane = threadIdx.x % 32;
  const bool releases = kStageReleasesPerConsumer<Prologue> == 4 ? lane == 0 : threadIdx.x % 128 == 0;
  float acc[kBlockN / 2];
  RingPosition<Config::kStages> position;
  // A stage is free once every consumer of every CTA that receives its W boxes has read it.
  auto release = [&](int stage) {
    if constexpr (Config::kCluster == 1) {
      mbarrierArrive(ring.empty(stage));
    } else {
#pragma unroll
      for (int rank = 0; rank < Config::kCluster; ++rank)
        mbarrierArriveInCta(ring.empty(stage), rank);
    }
  };
  for (int tile = order.first(); tile < order.count(); tile += order.stride()) {
    int m0, n0;
    order.origin(tile, m0, n0);
#pragma unroll
    for (int i = 0; i < kBlockN / 2; ++i)
      acc[i] = 0.0f;
    float sumSquares = 0.0f;
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
      if constexpr (Prologue::kRowScale)
        sumSquares += sumSquaresOfStageRow(tileX, warp, lane);
      // Keep this stage's group in flight; the previous stage's is done and its slot is free.
      wgmmaWaitGroup<1>();
      if constexpr (Prologue::kRowScale)
        __syncwarp(); // every lane's reads of the previous stage precede the warp's release
      if (releases && previousStage >= 0)
        release(previousStage);
      previousStage = position.stage;
      position.advance();
    }
    // The first residual quarter of the staged store is requested while the last wgmma runs.
    const int sliceRow0 = m0 + consumer * 64 + 16 * warp;
    uint4 residual[4];
    if constexpr (Config::kStagedStores && StagedEpilogue<Epilogue>::kSupported)
      if (staged)
        loadResidualQuarter(epilogue, sliceRow0, n0, M, N, residual);
    wgmmaWaitGroup<0>();
    wgmmaFenceOperands(acc);
    if constexpr (Prologue::kRowScale)
      __syncwarp();
    if (releases && previousStage >= 0)
      release(previousStage);

    // Fragment j covers columns 8j..8j+7; with gating its up partner is kTileN columns on,
    // kTileN / 2 registers further. Registers 4j, 4j+1 hold row lane / 4, 4j+2, 4j+3 row + 8.
    float rowScale[2] = {1.0f, 1.0f};
    if constexpr (Prologue::kRowScale)
      fragmentRowScales(sumSquares, lane, K, prologue.eps, rowScale);
    auto scaled = [&](int e, float v) {
      if constexpr (Prologue::kRowScale)
        return v * rowScale[(e >> 1) & 1];
      else
        return v;
    };
    auto value = [&](int e) {
      if constexpr (Gating::kWeightsPerOutput == 2)
        return Gating::combine(scaled(e, acc[e]), scaled(e, acc[e + Order::kTileN / 2]));
      else
        return scaled(e, acc[e]);
    };
    auto storePairs = [&] {
      const int row0 = sliceRow0 + lane / 4;
#pragma unroll
      for (int j = 0; j < Order::kTileN / 8; ++j) {
        const int col = n0 + 8 * j + 2 * (lane % 4);
        if (col < N) {
          if (row0 < M)
            epilogue(row0, col, value(4 * j), value(4 * j + 1));
          if (row0 + 8 < M)
            epilogue(row0 + 8, col, value(4 * j + 2), value(4 * j + 3));
        }
      }
    };
    if constexpr (Config::kStagedStores && StagedEpilogue<Epilogue>::kSupported) {
      if (staged)
        storeWarpSliceStaged<Order::kTileN>(epilogue, ring.staging(consumer * 4 + warp),
                                            sliceRow0, n0, M, N, value, residual);
      else
        storePairs();
    } else {
      storePairs();
    }
  }
}

/// The whole GEMM for one persistent CTA; call from a wrapper that has the contract above.
/// With RmsNormPrologue{eps}, row r's products are scaled by rsqrt(mean_k(x[r,k]^2) + eps),
/// summed from the X stages in shared memory (fold the norm's gain into W).
template <class Config, class Gating = NoGating, class Epilogue, class Prologue = NoPrologue>
__device__ __forceinline__ void gemmBf16Sm90(const TmaDescriptor &x, const TmaDescriptor &w,
                                             int M, int N, int K, const Epilogue &epilogue,
                                             const Prologue &prologue = Prologue{}) {
  extern __shared__ unsigned char gemmShared[];
  const unsigned sharedBase = sharedAddress(gemmShared);
  const GemmRing<Config> ring{(sharedBase + 1023u) & ~1023u};
  if (threadIdx.x == 0) {
    for (int stage = 0; stage < Config::kStages; ++stage) {
      mbarrierInit(ring.full(stage), 1);
      mbarrierInit(ring.empty(stage),
                   Config::kConsumers * kStageReleasesPerConsumer<Prologue> * Config::kCluster);
    }
    mbarrierInitFence();
  }
  // Peers arrive on (and multicast into) this CTA's barriers: all must exist before anyone runs.
  if constexpr (Config::kCluster > 1)
    clusterSync();
  else
    __syncthreads();

  static_assert(Gating::kWeightsPerOutput == 1 || Gating::kWeightsPerOutput == 2, "gating");
  constexpr int kTileN = Config::kBlockN / Gating::kWeightsPerOutput;
  const GemmTileOrder<Config, kTileN> order(M, N);
  const int kBlocks = (K + Config::kBlockK - 1) / Config::kBlockK;
  const int warpgroup = threadIdx.x / 128;
  if (warpgroup == 0) {
    warpgroupRegistersDecrease<Config::kProducerRegisters>();
    if (threadIdx.x == 0)
      gemmProducer<Config>(x, w, ring, order, N, kBlocks);
  } else {
    warpgroupRegistersIncrease<Config::kConsumerRegisters>();
    gemmConsumer<Config, Gating>(warpgroup - 1, ring, order, kBlocks, M, N, K,
                                 ring.hasStaging(sharedBase), epilogue, prologue);
  }
  // Consumers release stages in their peer too: no CTA may leave while a peer can still arrive.
  if constexpr (Config::kCluster > 1)
    clusterSync();
}

} // namespace loom::sm90

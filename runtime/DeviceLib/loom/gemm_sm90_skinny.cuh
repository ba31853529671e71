// loom/gemm_sm90_skinny.cuh: the skinny linear (17..128 rows) on Hopper (sm_90a): W streamed once
// by TMA through an mbarrier ring into wgmma, X's few rows as the wgmma N side, split-K over a
// thread-block cluster reduced through distributed shared memory.
//
// Wrapper contract (Config = SkinnySm90Config<MAX_M, SPLIT, STAGES>, bf16 operands only):
//   extern "C" __global__ __launch_bounds__(Config::kThreads, 1) __cluster_dims__(1, SPLIT, 1)
//   void fused_linear_7(const __grid_constant__ loom::sm90::TmaDescriptor x,  // X [M,K]: box {64, MAX_M}
//                       const __grid_constant__ loom::sm90::TmaDescriptor w,  // W [G*N,K]: box {64, 128 / G}
//                       <epilogue pointers>, bf16 *y, int M, int N, int K) {
//     loom::sm90::gemmSkinnySm90<Config, loom::NoPrologue, loom::NoGating>(
//         x, w, M, N, K, loom::NoPrologue{}, loom::epi::makeEpilogue(y, N, <parts>...));
//   }
//   block = (Config::kThreads, 1, 1)
//   grid  = (ceil(N / Config::outputs(G)), SPLIT, ceil(M / MAX_M))
//   dynamic shared memory = Config::sharedBytes (above 48 KB: the launch opts in).
//   Descriptors as loom/gemm_sm90.cuh's (runtime/CUDA/TensorMap.h, tensorMapForGemmOperand).
//   Requires K % 8 == 0 and N % 8 == 0; M, N and K need not divide the tiles.
//
// How it works ("swap AB"): a CTA owns 128 W rows (gated: 64 gate rows, then the 64 up rows of
// the same outputs) and one of SPLIT K ranges of whole 64-column blocks; the SPLIT CTAs of a
// column block form a cluster. Warp 8 is the producer: one lane waits for a free stage, expects
// its bytes and issues the TMA boxes (W: 128 x 64, X: MAX_M x 64, 128B swizzle; X rows past M
// arrive as zeros). Warpgroups 0 and 1 each multiply 64 W rows (wgmma's M side, operand A) by
// all MAX_M X rows (its N side, operand B) from shared memory: acc[W row][X row] in registers,
// k in block order (a CTA with at most 64 rows runs n64 steps on the first 64 X rows). With RMSNorm, every consumer thread also sums the squares of its share of
// the stage's X rows. At the end the CTA puts its partials [X row][W row] in shared memory (over
// the ring) and the cluster reduces them in rank order as loom/gemm_skinny.cuh does
// (skinny::reducePartialsAndStore): row scale, gating and epilogue after the reduction.
//
// Reduction order: an output's sum runs over K in block order within a CTA (one wgmma chain),
// then over the ranks in order; it depends on N, K and SPLIT, never on M or on timing (an element
// of a wgmma tile does not depend on the tile's width: LinearGpuTest
// SkinnyWgmmaRowsIndependentOfRowCount compares n64 steps at M = 17, 64 with n128 at 128).
#pragma once

#include "loom/gemm_skinny.cuh"
#include "loom/gemm_sm90.cuh"

namespace loom::sm90 {

template <int MAX_M_, int SPLIT_, int STAGES_> struct SkinnySm90Config {
  static constexpr int kMaxM = MAX_M_;   ///< X rows per CTA: the wgmma N (grid z covers more)
  static constexpr int kSplit = SPLIT_;  ///< CTAs of a cluster, each one K range
  static constexpr int kStages = STAGES_;
  static_assert(kMaxM == 64 || kMaxM == 128, "a wgmma N this library instantiates");
  static_assert(kSplit >= 1 && kSplit <= 8, "a portable cluster has at most 8 CTAs");
  static_assert(kStages >= 2, "one stage multiplies while the others load");
  static constexpr int kConsumers = 2;               ///< warpgroups of 64 W rows
  static constexpr int kWeightRows = 64 * kConsumers; ///< W rows per CTA
  static constexpr int kThreads = 128 * kConsumers + 32; ///< + one producer warp
  static constexpr int kBlockK = 64;                 ///< one 128-byte swizzle row of bf16
  static constexpr unsigned kTileWBytes = kWeightRows * 128;
  static constexpr unsigned kTileXBytes = kMaxM * 128;
  static constexpr unsigned kStageBytes = kTileWBytes + kTileXBytes;
  /// Outputs (columns of Y) per CTA.
  __host__ __device__ static constexpr int outputs(int weightsPerOutput) {
    return kWeightRows / weightsPerOutput;
  }
  static constexpr int kPartialStride = kWeightRows + 4; ///< floats; +4: conflict-free scatter
  static constexpr unsigned kPartialBytes = kMaxM * kPartialStride * 4;
  static constexpr unsigned kRingBytes = kStages * kStageBytes;
  static constexpr unsigned kRegionBytes = kRingBytes > kPartialBytes ? kRingBytes : kPartialBytes;
  /// 1024 B of slack to align the ring, the ring (later the partials), 16 B of barriers per
  /// stage, then the row sums of squares.
  static constexpr unsigned sharedBytes = 1024 + kRegionBytes + 16 * kStages + 4 * kMaxM;
};

namespace skinny_sm90 {

/// RMSNorm: this consumer thread's share of the sums of squares of a stage's X rows (threads
/// 256 / MAX_M per row, consecutive lanes; each reads 8 / (256 / MAX_M) of the row's 16-byte
/// chunks, at their swizzled places: the 8 rows of a 1 KiB atom hit different banks).
template <int MaxM>
__device__ __forceinline__ float stageSquares(unsigned tileX, int consumerThread) {
  constexpr int kThreadsPerRow = 256 / MaxM, kChunks = 8 / kThreadsPerRow;
  return sumSquaresOfRowChunks<kChunks>(tileX, consumerThread / kThreadsPerRow,
                                        (consumerThread % kThreadsPerRow) * kChunks);
}

/// A consumer warpgroup's main loop: per stage, wait for its bytes, issue the m64nWidthk16 steps
/// of its 64 W rows against the first Width X rows, (RMSNorm) sum this thread's share of the X
/// squares, then free the previous stage once its wgmma group is done.
template <class Config, class Prologue, int Width, class WTile, class XTile, class Full, class Empty>
__device__ __forceinline__ void consumeStages(float (&acc)[Config::kMaxM / 2], float &squares, int blocks,
                                              int tid, int lane, int consumer, const WTile &tileW,
                                              const XTile &tileX, const Full &full, const Empty &empty) {
  constexpr int kReleases = kStageReleasesPerConsumer<Prologue>;
  const bool releases = kReleases == 4 ? lane == 0 : tid % 128 == 0;
  RingPosition<Config::kStages> position;
  int previousStage = -1;
  for (int b = 0; b < blocks; ++b) {
    mbarrierWait(full(position.stage), position.parity);
    const unsigned a = tileW(position.stage) + unsigned(consumer) * 64 * 128;
    const unsigned x = tileX(position.stage);
    wgmmaFence();
#pragma unroll
    for (int k = 0; k < Config::kBlockK / 16; ++k)
      WgmmaBf16<Width>::mma(acc, wgmmaDescriptor128B(a + 32 * k), wgmmaDescriptor128B(x + 32 * k), 1);
    wgmmaCommitGroup();
    if constexpr (Prologue::kRowScale)
      squares += stageSquares<Config::kMaxM>(x, tid);
    wgmmaWaitGroup<1>(); // the previous stage's group is done: its slot is free
    if constexpr (Prologue::kRowScale)
      __syncwarp();
    if (releases && previousStage >= 0)
      mbarrierArrive(empty(previousStage));
    previousStage = position.stage;
    position.advance();
  }
}

} // namespace skinny_sm90

/// The CTA body; see the file comment for the launch contract.
template <class Config, class Prologue, class Gating, class Epilogue>
__device__ __forceinline__ void gemmSkinnySm90(const TmaDescriptor &x, const TmaDescriptor &w,
                                               int M, int N, int K, const Prologue &prologue,
                                               const Epilogue &epilogue) {
  constexpr int G = Gating::kWeightsPerOutput, kOut = Config::outputs(G);
  constexpr int kMaxM = Config::kMaxM, kSplit = Config::kSplit, kStages = Config::kStages;
  constexpr int kReleases = kStageReleasesPerConsumer<Prologue>;
  static_assert(G == 1 || G == 2, "gating");
  extern __shared__ unsigned char skinnySm90Shared[];
  const unsigned sharedBase = sharedAddress(skinnySm90Shared);
  const unsigned base = (sharedBase + 1023u) & ~1023u;
  unsigned char *region = skinnySm90Shared + (base - sharedBase);
  float *partial = reinterpret_cast<float *>(region);
  float *rowSquares = reinterpret_cast<float *>(region + Config::kRegionBytes + 16 * kStages);
  auto tileW = [&](int stage) { return base + unsigned(stage) * Config::kStageBytes; };
  auto tileX = [&](int stage) { return tileW(stage) + Config::kTileWBytes; };
  auto full = [&](int stage) { return base + Config::kRegionBytes + 8u * unsigned(stage); };
  auto empty = [&](int stage) { return full(kStages) + 8u * unsigned(stage); };

  const int tid = int(threadIdx.x), warp = tid / 32, lane = tid % 32;
  const int n0 = int(blockIdx.x) * kOut, m0 = int(blockIdx.z) * kMaxM;
  const int rows = min(kMaxM, M - m0);
  const int rank = kSplit > 1 ? int(clusterCtaRank()) : 0;
  const int kBlocks = (K + Config::kBlockK - 1) / Config::kBlockK;
  const int perRank = (kBlocks + kSplit - 1) / kSplit;
  const int firstBlock = rank * perRank, blocks = max(0, min(kBlocks, firstBlock + perRank) - firstBlock);

  allow_next_grid_launch();
  wait_for_previous_grids();
  if (tid == 0) {
    for (int stage = 0; stage < kStages; ++stage) {
      mbarrierInit(full(stage), 1);
      mbarrierInit(empty(stage), Config::kConsumers * kReleases);
    }
    mbarrierInitFence();
  }
  __syncthreads();

  float acc[kMaxM / 2];
#pragma unroll
  for (int i = 0; i < kMaxM / 2; ++i)
    acc[i] = 0.0f;
  float squares = 0.0f;
  const int consumer = warp / 4;
  if (warp == 2 * 4) { // the producer warp
    if (lane == 0) {
      tmaPrefetchDescriptor(x);
      tmaPrefetchDescriptor(w);
      RingPosition<kStages> position;
      for (int b = 0; b < blocks; ++b) {
        mbarrierWait(empty(position.stage), position.parity ^ 1);
        mbarrierArriveExpectBytes(full(position.stage), Config::kStageBytes);
        const int k0 = (firstBlock + b) * Config::kBlockK;
#pragma unroll
        for (int box = 0; box < G; ++box) // gated: gate rows n0.., then up rows N + n0..
          tmaLoad2d(tileW(position.stage) + box * (Config::kWeightRows / G) * 128, w, k0,
                    n0 + box * N, full(position.stage));
        tmaLoad2d(tileX(position.stage), x, k0, m0, full(position.stage));
        position.advance();
      }
    }
  } else {
    // At most 64 X rows: m64n64 steps on the first 64 (half the math; rows 64.. stay zero). The
    // whole loop is instantiated per width, so that no branch sits between a wgmma and its wait.
    if (kMaxM > 64 && rows <= 64)
      skinny_sm90::consumeStages<Config, Prologue, 64>(acc, squares, blocks, tid, lane, consumer, tileW, tileX, full, empty);
    else
      skinny_sm90::consumeStages<Config, Prologue, kMaxM>(acc, squares, blocks, tid, lane, consumer, tileW, tileX, full, empty);
    wgmmaWaitGroup<0>();
    wgmmaFenceOperands(acc);
  }
  __syncthreads(); // every stage consumed: the ring becomes the partials

  if (warp < 2 * 4) {
    // acc[i]: W row 64 * consumer + 16 * (warp % 4) + lane / 4 + 8 * ((i / 2) % 2),
    // X row 8 * (i / 4) + 2 * (lane % 4) + i % 2 (loom/wgmma.cuh's layout).
    const int wRow = 64 * consumer + 16 * (warp % 4) + lane / 4;
#pragma unroll
    for (int i = 0; i < kMaxM / 2; ++i)
      partial[(8 * (i / 4) + 2 * (lane % 4) + i % 2) * Config::kPartialStride + wRow + 8 * ((i / 2) % 2)] = acc[i];
    if constexpr (Prologue::kRowScale) {
      constexpr int kThreadsPerRow = 256 / kMaxM;
#pragma unroll
      for (int offset = 1; offset < kThreadsPerRow; offset *= 2)
        squares += __shfl_xor_sync(0xffffffffu, squares, offset);
      // The 256 consumer threads cover the MAX_M rows once, kThreadsPerRow lanes per row.
      if (tid % kThreadsPerRow == 0)
        rowSquares[tid / kThreadsPerRow] = squares;
    }
  }
  if constexpr (kSplit > 1)
    skinny::clusterSync();
  else
    __syncthreads();
  skinny::reducePartialsAndStore<kSplit, Config::kThreads, Config::kPartialStride, kOut, Gating>(
      partial, rowSquares, rank, tid, rows, n0, m0, N, K, prologue, epilogue);
  if constexpr (kSplit > 1)
    skinny::clusterSync(); // the other ranks read this CTA's shared memory until here
}

} // namespace loom::sm90

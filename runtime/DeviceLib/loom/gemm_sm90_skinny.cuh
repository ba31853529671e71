// loom/gemm_sm90_skinny.cuh: the skinny linear (17..128 rows) on Hopper (sm_90a): W streamed once
// by TMA through an mbarrier ring into wgmma, X's few rows as the wgmma N side, split-K over a
// thread-block cluster reduced through distributed shared memory.
//
// Wrapper contract (Config = SkinnySm90Config<MAX_M, SPLIT, STAGES>, bf16 operands only):
//   extern "C" __global__ __launch_bounds__(Config::kThreads, 1) __cluster_dims__(1, SPLIT, 1)
//   void fused_linear_7(const __grid_constant__ loom::sm90::TmaDescriptor x,  // X [M,K]: box {64, 64}
//                       const __grid_constant__ loom::sm90::TmaDescriptor w,  // W [G*N,K]: box {64, 128 / G}
//                       <epilogue pointers>, bf16 *y, int M, int N, int K) {
//     loom::sm90::gemmSkinnySm90<Config, loom::NoPrologue, loom::NoGating>(
//         x, w, M, N, K, loom::NoPrologue{}, loom::epi::makeEpilogue(y, N, <parts>...));
//   }
//   block = (Config::kThreads, 1, 1)
//   grid  = (ceil(N / Config::outputs(G)), SPLIT, ceil(M / MAX_M))
//   dynamic shared memory = Config::sharedBytes (above 48 KB: the launch opts in).
//   Descriptors as loom/gemm_sm90.cuh's (runtime/CUDA/TensorMap.h, tensorMapForGemmOperand).
//   Requires K % 8 == 0 and N % 8 == 0; M, N and K need not divide the tiles. The body places its
//   own griddepcontrol.wait (after L2 prefetches of W), so the wrapper calls no
//   loom::grid_dependency_sync() (KernelSource::placeOwnGridDependencyWait); an epilogue whose
//   construction does work (branches, shared tables) is passed as loom::sm90::deferEpilogue(lambda).
//
// How it works ("swap AB"): a CTA owns 128 W rows (gated: 64 gate rows, then the 64 up rows of
// the same outputs) and one of SPLIT K ranges of whole 64-column blocks; the SPLIT CTAs of a
// column block form a cluster. Warp 8 is the producer: one lane waits for a free stage, expects
// its bytes and issues the TMA boxes (W: 128 x 64, X: MAX_M / 64 boxes of 64 x 64, 128B swizzle;
// X rows past M arrive as zeros). A CTA with at most 64 rows loads one X box per stage: a stage
// of 24 KB instead of 32, so the same ring holds more stages (Config::kNarrowStages). Warpgroups 0 and 1 each multiply 64 W rows (wgmma's M side, operand A) by
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
  static constexpr int kXBoxRows = 64; ///< X arrives in boxes of 64 rows, MAX_M / 64 per stage
  /// Stages of the ring when a stage holds only 64 X rows (a CTA with at most 64 rows): the same
  /// ring bytes in more, smaller stages (MAX_M 128, 3 stages of 32 KB: 4 of 24 KB).
  static constexpr int kNarrowStages = int(kRingBytes / (kTileWBytes + kXBoxRows * 128));
  /// 1024 B of slack to align the ring, the ring (later the partials), 16 B of barriers per
  /// stage of the deeper (narrow) ring, then the row sums of squares.
  static constexpr unsigned sharedBytes = 1024 + kRegionBytes + 16 * kNarrowStages + 4 * kMaxM;
};

namespace skinny_sm90 {

/// The ring's layout for a CTA whose X rows fit in Width (64: the narrow ring of
/// Config::kNarrowStages stages; MAX_M: Config::kStages stages): stage s at base + s * kStageBytes,
/// its W tile first, then Width / 64 X boxes.
template <class Config, int Width> struct Ring {
  static constexpr unsigned kStageBytes = Config::kTileWBytes + Width * 128;
  static constexpr int kStages = int(Config::kRingBytes / kStageBytes);
  static constexpr int kXBoxes = Width / Config::kXBoxRows;
  unsigned base;
  __device__ __forceinline__ unsigned tileW(int stage) const { return base + unsigned(stage) * kStageBytes; }
  __device__ __forceinline__ unsigned tileX(int stage) const { return tileW(stage) + Config::kTileWBytes; }
};

/// Barrier addresses: full(s), then empty(s), for the deeper ring's stage count.
template <class Config> struct RingBarriers {
  unsigned first;
  __device__ __forceinline__ unsigned full(int stage) const { return first + 8u * unsigned(stage); }
  __device__ __forceinline__ unsigned empty(int stage) const {
    return first + 8u * unsigned(Config::kNarrowStages + stage);
  }
};

/// An L2 prefetch of the W box (inner, outer) when `issue`, as a predicated instruction: it runs
/// before griddepcontrol.wait, where no branch may sit (test/gpu/Kernels/Gemm GridDependencyOrder).
__device__ __forceinline__ void tmaPrefetchL2If(bool issue, const TmaDescriptor &descriptor, int inner, int outer) {
  asm volatile("{\n.reg .pred p;\nsetp.ne.b32 p, %0, 0;\n"
               "@p cp.async.bulk.prefetch.tensor.2d.L2.global.tile [%1, {%2, %3}];\n}" ::"r"(int(issue)),
               "l"(reinterpret_cast<unsigned long long>(&descriptor)), "r"(inner), "r"(outer)
               : "memory");
}

/// RMSNorm: this consumer thread's share of the sums of squares of a stage's X rows (threads
/// 256 / MAX_M per row, consecutive lanes; each reads 8 / (256 / MAX_M) of the row's 16-byte
/// chunks, at their swizzled places: the 8 rows of a 1 KiB atom hit different banks). The same
/// split at every Width, so a row's sum does not depend on the ring: with Width 64 < MAX_M the
/// threads of rows 64.. (warpgroup 1) add nothing.
template <int MaxM, int Width>
__device__ __forceinline__ float stageSquares(unsigned tileX, int consumerThread) {
  constexpr int kThreadsPerRow = 256 / MaxM, kChunks = 8 / kThreadsPerRow;
  if (Width < MaxM && consumerThread >= Width * kThreadsPerRow)
    return 0.0f;
  return sumSquaresOfRowChunks<kChunks>(tileX, consumerThread / kThreadsPerRow,
                                        (consumerThread % kThreadsPerRow) * kChunks);
}

/// The producer lane: per K block, wait for a free stage, expect its bytes and issue the W boxes
/// (gated: gate rows n0.., then up rows N + n0..) and the Width / 64 X boxes.
template <class Config, int G, int Width>
__device__ __forceinline__ void produceStages(const TmaDescriptor &x, const TmaDescriptor &w, int blocks,
                                              int firstBlock, int n0, int m0, int N, unsigned base,
                                              const RingBarriers<Config> &barriers) {
  using R = Ring<Config, Width>;
  const R ring{base};
  RingPosition<R::kStages> position;
  for (int b = 0; b < blocks; ++b) {
    mbarrierWait(barriers.empty(position.stage), position.parity ^ 1);
    const unsigned full = barriers.full(position.stage);
    mbarrierArriveExpectBytes(full, R::kStageBytes);
    const int k0 = (firstBlock + b) * Config::kBlockK;
#pragma unroll
    for (int box = 0; box < G; ++box)
      tmaLoad2d(ring.tileW(position.stage) + box * (Config::kWeightRows / G) * 128, w, k0, n0 + box * N, full);
#pragma unroll
    for (int box = 0; box < R::kXBoxes; ++box)
      tmaLoad2d(ring.tileX(position.stage) + box * Config::kXBoxRows * 128, x, k0, m0 + box * Config::kXBoxRows,
                full);
    position.advance();
  }
}

/// A consumer warpgroup: per stage, wait for its bytes, issue the m64nWidthk16 steps of its 64 W
/// rows against the first Width X rows, (RMSNorm) sum this thread's share of the X squares, then
/// free the previous stage once its wgmma group is done; at the end, (RMSNorm) this row's sum of
/// squares into rowSquares.
template <class Config, class Prologue, int Width>
__device__ __forceinline__ void consumeStages(float (&acc)[Config::kMaxM / 2], float *rowSquares, int blocks,
                                              int tid, int lane, int consumer, unsigned base,
                                              const RingBarriers<Config> &barriers) {
  using R = Ring<Config, Width>;
  const R ring{base};
  constexpr int kReleases = kStageReleasesPerConsumer<Prologue>;
  const bool releases = kReleases == 4 ? lane == 0 : tid % 128 == 0;
  float squares = 0.0f;
  RingPosition<R::kStages> position;
  int previousStage = -1;
  for (int b = 0; b < blocks; ++b) {
    mbarrierWait(barriers.full(position.stage), position.parity);
    const unsigned a = ring.tileW(position.stage) + unsigned(consumer) * 64 * 128;
    const unsigned x = ring.tileX(position.stage);
    wgmmaFence();
#pragma unroll
    for (int k = 0; k < Config::kBlockK / 16; ++k)
      WgmmaBf16<Width>::mma(acc, wgmmaDescriptor128B(a + 32 * k), wgmmaDescriptor128B(x + 32 * k), 1);
    wgmmaCommitGroup();
    if constexpr (Prologue::kRowScale)
      squares += stageSquares<Config::kMaxM, Width>(x, tid);
    wgmmaWaitGroup<1>(); // the previous stage's group is done: its slot is free
    if constexpr (Prologue::kRowScale)
      __syncwarp();
    if (releases && previousStage >= 0)
      mbarrierArrive(barriers.empty(previousStage));
    previousStage = position.stage;
    position.advance();
  }
  wgmmaWaitGroup<0>();
  wgmmaFenceOperands(acc);
  if constexpr (Prologue::kRowScale) {
    constexpr int kThreadsPerRow = 256 / Config::kMaxM;
#pragma unroll
    for (int offset = 1; offset < kThreadsPerRow; offset *= 2)
      squares += __shfl_xor_sync(0xffffffffu, squares, offset);
    // The 256 consumer threads cover the MAX_M rows once, kThreadsPerRow lanes per row (outside
    // the ring, so written before the ring becomes the partials).
    if (tid % kThreadsPerRow == 0)
      rowSquares[tid / kThreadsPerRow] = squares;
  }
}

} // namespace skinny_sm90

/// The emitted wrappers name it loom::sm90::deferEpilogue (loom/epilogue.cuh has it).
using loom::deferEpilogue;

/// The CTA body; see the file comment for the launch contract. It places its own grid-dependency
/// wait (the wrapper has none): the producer lane first prefetches its first W boxes into L2, which
/// no previous kernel writes, so under programmatic dependent launch the start of the W stream
/// overlaps the previous kernel's tail.
template <class Config, class Prologue, class Gating, class Epilogue>
__device__ __forceinline__ void gemmSkinnySm90(const TmaDescriptor &x, const TmaDescriptor &w,
                                               int M, int N, int K, const Prologue &prologue,
                                               const Epilogue &epilogue) {
  constexpr int G = Gating::kWeightsPerOutput, kOut = Config::outputs(G);
  constexpr int kMaxM = Config::kMaxM, kSplit = Config::kSplit;
  constexpr int kReleases = kStageReleasesPerConsumer<Prologue>;
  static_assert(G == 1 || G == 2, "gating");
  extern __shared__ unsigned char skinnySm90Shared[];
  const unsigned sharedBase = sharedAddress(skinnySm90Shared);
  const unsigned base = (sharedBase + 1023u) & ~1023u;
  unsigned char *region = skinnySm90Shared + (base - sharedBase);
  float *partial = reinterpret_cast<float *>(region);
  float *rowSquares = reinterpret_cast<float *>(region + Config::kRegionBytes + 16 * Config::kNarrowStages);
  const skinny_sm90::RingBarriers<Config> barriers{base + Config::kRegionBytes};

  const int tid = int(threadIdx.x), warp = tid / 32, lane = tid % 32;
  const int n0 = int(blockIdx.x) * kOut, m0 = int(blockIdx.z) * kMaxM;
  const int rows = min(kMaxM, M - m0);
  const int rank = kSplit > 1 ? int(clusterCtaRank()) : 0;
  const int kBlocks = (K + Config::kBlockK - 1) / Config::kBlockK;
  const int perRank = (kBlocks + kSplit - 1) / kSplit;
  const int firstBlock = rank * perRank, blocks = max(0, min(kBlocks, firstBlock + perRank) - firstBlock);
  const bool producer = tid == 2 * 128; // lane 0 of warp 8

#pragma unroll
  for (int b = 0; b < Config::kNarrowStages; ++b)
#pragma unroll
    for (int box = 0; box < G; ++box)
      skinny_sm90::tmaPrefetchL2If(producer && b < blocks, w, (firstBlock + b) * Config::kBlockK, n0 + box * N);
  allow_next_grid_launch();
  wait_for_previous_grids();
  const auto &built = loom::epilogueAfterWait(epilogue); // a deferred one is built here, by every thread
  if (tid == 0) {
    for (int stage = 0; stage < Config::kNarrowStages; ++stage) {
      mbarrierInit(barriers.full(stage), 1);
      mbarrierInit(barriers.empty(stage), Config::kConsumers * kReleases);
    }
    mbarrierInitFence();
  }
  __syncthreads();

  float acc[kMaxM / 2];
#pragma unroll
  for (int i = 0; i < kMaxM / 2; ++i)
    acc[i] = 0.0f;
  const int consumer = warp / 4;
  // At most 64 X rows: the narrow ring (one 64-row X box per stage, more stages) and m64n64 steps
  // (half the math; rows 64.. stay zero). Each loop is instantiated per width, so that no branch
  // sits between a wgmma and its wait.
  const bool narrow = kMaxM > 64 && rows <= 64;
  if (warp == 2 * 4) { // the producer warp
    if (lane == 0) {
      tmaPrefetchDescriptor(x);
      if (narrow)
        skinny_sm90::produceStages<Config, G, 64>(x, w, blocks, firstBlock, n0, m0, N, base, barriers);
      else
        skinny_sm90::produceStages<Config, G, kMaxM>(x, w, blocks, firstBlock, n0, m0, N, base, barriers);
    }
  } else if (narrow) {
    skinny_sm90::consumeStages<Config, Prologue, 64>(acc, rowSquares, blocks, tid, lane, consumer, base, barriers);
  } else {
    skinny_sm90::consumeStages<Config, Prologue, kMaxM>(acc, rowSquares, blocks, tid, lane, consumer, base, barriers);
  }
  __syncthreads(); // every stage consumed: the ring becomes the partials

  if (warp < 2 * 4) {
    // acc[i]: W row 64 * consumer + 16 * (warp % 4) + lane / 4 + 8 * ((i / 2) % 2),
    // X row 8 * (i / 4) + 2 * (lane % 4) + i % 2 (loom/wgmma.cuh's layout).
    const int wRow = 64 * consumer + 16 * (warp % 4) + lane / 4;
#pragma unroll
    for (int i = 0; i < kMaxM / 2; ++i)
      partial[(8 * (i / 4) + 2 * (lane % 4) + i % 2) * Config::kPartialStride + wRow + 8 * ((i / 2) % 2)] = acc[i];
  }
  if constexpr (kSplit > 1)
    skinny::clusterSync();
  else
    __syncthreads();
  skinny::reducePartialsAndStore<kSplit, Config::kThreads, Config::kPartialStride, kOut, Gating>(
      partial, rowSquares, rank, tid, rows, n0, m0, N, K, prologue, built);
  if constexpr (kSplit > 1)
    skinny::clusterSync(); // the other ranks read this CTA's shared memory until here
}

} // namespace loom::sm90

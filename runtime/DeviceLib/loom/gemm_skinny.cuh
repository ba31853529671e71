// loom/gemm_skinny.cuh: the skinny linear (17 to 128 rows: decode batches and small prefill
// chunks) on sm_90: Y[M,N] = epilogue(prologue(X[M,K] · W[N,K]^T)), bound by streaming W once,
// with the prologues, gating and epilogues of loom/gemm.cuh and loom/gemv.cuh.
//
// Wrapper contract (Config = SkinnyConfig<MAX_M, SPLIT[, STAGES = 3]>):
//   extern "C" __global__ __launch_bounds__(Config::kThreads, 1) __cluster_dims__(1, SPLIT, 1)
//   void fused_linear_7(const bf16 *x, const bf16 *w, <epilogue pointers>, bf16 *y,
//                       int M, int N, int K) {
//     loom::gemmSkinny<Config, bf16, loom::NoPrologue, loom::NoGating>(
//         x, w, M, N, K, loom::NoPrologue{}, loom::epi::makeEpilogue(y, N, <parts>...));
//   }
//   block = (Config::kThreads, 1, 1)
//   grid  = (ceil(N / Config::outputs(G)), SPLIT, ceil(M / MAX_M))    (M is the dynamic size)
//   dynamic shared memory = Config::sharedBytes bytes (above 48 KB: the launch opts in).
//   With Gated<Op>, W has 2N rows (gate [0,N), up [N,2N)) and N is the output width.
// Requirements: sm_90 (thread-block clusters); N and K multiples of 8, x, w and epilogue pointers
// 16-byte aligned (16-byte copies are predicated per chunk, so never out of bounds).
//
// How it works: a CTA owns 128 W rows (8 warps of 16; gated: 64 gate rows, then the 64 up rows
// of the same outputs) and, with SPLIT > 1, one of SPLIT equal chunk-aligned K ranges; the SPLIT
// CTAs of a column block form a cluster. A ring of STAGES chunks of 128 K columns, W rows and
// X rows side by side, streams in by cp.async (16-byte pieces; each thread copies the same
// pieces of every chunk, so its addresses are computed once; odd rows swap the 64-byte halves of
// each 128 bytes so that the fragment reads below hit 32 distinct banks). W goes to the tensor
// cores' A side (mma.sync m16n8k16, 16 W rows per warp) and X's rows to the B side, 8 per n8
// tile, so the few rows cost nothing: thread (g, t) reads 16 contiguous bytes of W rows g and
// g + 8 and of X row g at k = 8t..8t+7 of each 32-column step, which are the A and B fragments
// under one fixed permutation of k (as loom/gemv.cuh). Every warp reads all of X's chunk from
// shared memory; n8 tiles past M are skipped (RMSNorm: warp w also sums the squares of X tiles
// w, w + 8). At the end each CTA puts its f32 partial sums
// [m][w row] in shared memory, the cluster synchronizes, and CTA r of the cluster reduces its
// share of the outputs over the SPLIT partials read through distributed shared memory, in rank
// order 0..SPLIT-1, then applies the row scale, gating and epilogue.
//
// Reduction order: an output's sum runs over K in ring order within a CTA, then over the ranks
// in order; it depends on N and K (through SPLIT) but never on M or on timing.
#pragma once

#include "loom/async_copy.cuh"
#include "loom/epilogue.cuh"
#include "loom/grid_dependency.cuh"
#include "loom/mma.cuh"

namespace loom {

template <int MAX_M_, int SPLIT_, int STAGES_ = 3> struct SkinnyConfig {
  static constexpr int kMaxM = MAX_M_;   ///< X rows one CTA multiplies (grid z covers more)
  static constexpr int kSplit = SPLIT_;  ///< CTAs of a cluster, each one K range
  static constexpr int kStages = STAGES_;
  static constexpr int kWarps = 8, kThreads = 32 * kWarps;
  static constexpr int kWeightRows = 16 * kWarps; ///< W rows per CTA
  static constexpr int kChunk = 128;              ///< K columns per ring stage
  static constexpr int kRowBytes = 2 * kChunk;    ///< bytes of one W or X row in a stage
  static constexpr int kBatchTiles = kMaxM / 8;   ///< mma n8 tiles of X rows
  static_assert(kMaxM % 16 == 0 && kMaxM >= 16 && kMaxM <= 128, "MAX_M is 16..128, a multiple of 16");
  static_assert(kSplit >= 1 && kSplit <= 8, "a portable cluster has at most 8 CTAs");
  static_assert(kStages >= 2, "one stage multiplies while the others load");
  /// Outputs (columns of Y) per CTA.
  __host__ __device__ static constexpr int outputs(int weightsPerOutput) {
    return kWeightRows / weightsPerOutput;
  }
  static constexpr int kStageBytes = (kWeightRows + kMaxM) * kRowBytes;
  static constexpr int kPartialStride = kWeightRows + 4; ///< floats; +4: conflict-free scatter
  static constexpr int kPartialBytes = kMaxM * kPartialStride * 4;
  static constexpr int kRingBytes = kStages * kStageBytes;
  /// Dynamic shared memory: the ring, later reused for the partial sums, then the row sums.
  static constexpr int sharedBytes =
      (kRingBytes > kPartialBytes ? kRingBytes : kPartialBytes) + 4 * kMaxM;
};

namespace skinny {

/// This CTA's rank in its cluster.
__device__ __forceinline__ unsigned clusterRank() {
  unsigned rank;
  asm volatile("mov.u32 %0, %%cluster_ctarank;\n" : "=r"(rank));
  return rank;
}

/// Every thread of the cluster arrives, then waits for all (release/acquire of shared memory).
__device__ __forceinline__ void clusterSync() {
  asm volatile("barrier.cluster.arrive.release.aligned;\n"
               "barrier.cluster.wait.acquire.aligned;\n" ::: "memory");
}

/// The shared::cluster address of `local` (a shared::cta address) in CTA `rank`'s memory.
__device__ __forceinline__ unsigned mapToRank(unsigned local, unsigned rank) {
  unsigned remote;
  asm volatile("mapa.shared::cluster.u32 %0, %1, %2;\n" : "=r"(remote) : "r"(local), "r"(rank));
  return remote;
}

__device__ __forceinline__ float2 loadClusterFloat2(unsigned address) {
  float2 value;
  asm volatile("ld.shared::cluster.v2.f32 {%0, %1}, [%2];\n"
               : "=f"(value.x), "=f"(value.y)
               : "r"(address));
  return value;
}

__device__ __forceinline__ float loadClusterFloat(unsigned address) {
  float value;
  asm volatile("ld.shared::cluster.f32 %0, [%1];\n" : "=f"(value) : "r"(address));
  return value;
}

/// Byte offset of 16-byte piece `j` of ring row `row`: odd rows swap the 64-byte halves of
/// each 128 bytes, so that rows g and g + 1 of a fragment read land in different banks.
template <int kRowBytes> __device__ __forceinline__ int swizzled(int row, int j) {
  return row * kRowBytes + 16 * (j ^ ((row & 1) << 2));
}

/// Sum of squares of the 8 16-bit values in `v`.
template <typename T> __device__ __forceinline__ float squares8(uint4 v) {
  const unsigned *words = &v.x;
  float sum = 0.0f;
#pragma unroll
  for (int e = 0; e < 4; ++e) {
    float lo = toFloat(T{(unsigned short)(words[e] & 0xffffu)});
    float hi = toFloat(T{(unsigned short)(words[e] >> 16)});
    sum += lo * lo + hi * hi;
  }
  return sum;
}

__device__ __forceinline__ uint4 loadShared16(unsigned address) {
  uint4 v;
  asm volatile("ld.shared.v4.u32 {%0, %1, %2, %3}, [%4];\n"
               : "=r"(v.x), "=r"(v.y), "=r"(v.z), "=r"(v.w)
               : "r"(address));
  return v;
}

/// The end of a split-K skinny CTA, after every CTA of the cluster has put its f32 partial sums
/// `partial[m * Stride + r]` (m: X row of the CTA, r: W row, gated: gate rows [0, Out), then the
/// up rows) and, with a row-scale prologue, its sums of squares `rowSquares[m]` in shared memory
/// and the cluster has synchronized: this rank's share of the output pairs, each summed over the
/// ranks' partials in rank order 0..Split-1 (read through distributed shared memory), then row
/// scale, gating and epilogue. The order depends on Split only, never on M or on timing.
template <int Split, int Threads, int Stride, int Out, class Gating, class Prologue, class Epilogue>
__device__ __forceinline__ void reducePartialsAndStore(const float *partial, const float *rowSquares,
                                                       int rank, int tid, int rows, int n0, int m0,
                                                       int N, int K, const Prologue &prologue,
                                                       const Epilogue &epilogue) {
  constexpr int G = Gating::kWeightsPerOutput;
  const unsigned partialAddress = sharedAddress(partial), squaresAddress = sharedAddress(rowSquares);
  for (int pair = rank * Threads + tid; pair < rows * (Out / 2); pair += Split * Threads) {
    const int m = pair / (Out / 2), c = 2 * (pair % (Out / 2));
    const int col = n0 + c;
    if (col >= N)
      continue;
    float sums[G][2] = {};
    float total = 0.0f;
#pragma unroll
    for (int r = 0; r < Split; ++r) {
#pragma unroll
      for (int q = 0; q < G; ++q) {
        unsigned at = partialAddress + 4u * unsigned(m * Stride + q * Out + c);
        float2 v = Split > 1 ? loadClusterFloat2(mapToRank(at, unsigned(r)))
                             : *reinterpret_cast<const float2 *>(&partial[m * Stride + q * Out + c]);
        sums[q][0] += v.x;
        sums[q][1] += v.y;
      }
      if constexpr (Prologue::kRowScale)
        total += Split > 1 ? loadClusterFloat(mapToRank(squaresAddress + 4u * unsigned(m), unsigned(r)))
                           : rowSquares[m];
    }
    float scale = 1.0f;
    if constexpr (Prologue::kRowScale)
      scale = rsqrtf(total / float(K) + prologue.eps);
    float v0 = sums[0][0] * scale, v1 = sums[0][1] * scale;
    if constexpr (G == 2) {
      v0 = Gating::combine(v0, sums[1][0] * scale);
      v1 = Gating::combine(v1, sums[1][1] * scale);
    }
    epilogue(m0 + m, col, v0, v1);
  }
}

} // namespace skinny

/// The CTA body; see the file comment for the launch contract.
template <class Config, typename T, class Prologue, class Gating, class Epilogue>
__device__ __forceinline__ void gemmSkinny(const T *__restrict__ x, const T *__restrict__ w, int M,
                                           int N, int K, const Prologue &prologue,
                                           const Epilogue &epilogue) {
  constexpr int G = Gating::kWeightsPerOutput, kOut = Config::outputs(G);
  constexpr int kRows = Config::kWeightRows, kMaxM = Config::kMaxM, BT = Config::kBatchTiles;
  constexpr int S = Config::kStages, kChunk = Config::kChunk, kThreads = Config::kThreads;
  constexpr int kSplit = Config::kSplit, kWarps = Config::kWarps, kRowBytes = Config::kRowBytes;
  constexpr int kPieces = kRowBytes / 16;           // 16-byte pieces per ring row
  constexpr int kRowsPerPass = kThreads / kPieces;  // ring rows one pass of copies fills
  constexpr int kSteps = kChunk / 32;               // k32 steps per chunk
  extern __shared__ __align__(128) unsigned char skinnyShared[];
  const unsigned ring = sharedAddress(skinnyShared);
  float *partial = reinterpret_cast<float *>(skinnyShared);
  float *rowSquares = reinterpret_cast<float *>(skinnyShared + Config::sharedBytes - 4 * kMaxM);

  const int tid = int(threadIdx.x), lane = tid % 32, warp = tid / 32;
  const int g = lane / 4, t = lane % 4;
  const int n0 = int(blockIdx.x) * kOut, m0 = int(blockIdx.z) * kMaxM;
  const int rows = min(kMaxM, M - m0); // X rows of this CTA
  const int rank = kSplit > 1 ? int(skinny::clusterRank()) : 0;
  const int perRank = (K + kSplit * kChunk - 1) / (kSplit * kChunk) * kChunk;
  const int kBegin = rank * perRank, kEnd = min(K, kBegin + perRank);
  const int chunks = kEnd > kBegin ? (kEnd - kBegin + kChunk - 1) / kChunk : 0;

  // Copies: this thread always moves piece `piece` of ring rows copyRow + kRowsPerPass * q, so
  // its sources advance by one chunk and its destinations are fixed offsets of a stage.
  const int piece = tid % kPieces, copyRow = tid / kPieces;
  const unsigned copyOffset = unsigned(skinny::swizzled<kRowBytes>(copyRow, piece));
  const int pieceK = kBegin + 8 * piece; // + chunk * kChunk
  // W ring row r: gate rows [0, kOut), then (gated) the up rows of the same outputs.
  auto weightRow = [&](int r) -> const T * {
    int q = r / kOut, n = n0 + r % kOut;
    return n < N ? w + ((long long)q * N + n) * K : nullptr;
  };
  auto stageAddress = [&](int stage) { return ring + unsigned(stage * Config::kStageBytes); };
  auto copyWeights = [&](int chunk, int stage) {
    const int k = pieceK + chunk * kChunk;
#pragma unroll
    for (int q = 0; q < kRows / kRowsPerPass; ++q) {
      const T *row = weightRow(copyRow + kRowsPerPass * q);
      bool valid = row && k < kEnd;
      copyAsync16(stageAddress(stage) + copyOffset + q * kRowsPerPass * kRowBytes,
                  valid ? row + k : w, valid);
    }
  };
  const T *xRow = x + (long long)(m0 + copyRow) * K;
  auto copyActivations = [&](int chunk, int stage) {
    const int k = pieceK + chunk * kChunk;
#pragma unroll
    for (int q = 0; q < kMaxM / kRowsPerPass; ++q) {
      if (copyRow + kRowsPerPass * q >= rows)
        break;
      bool valid = k < kEnd;
      copyAsync16(stageAddress(stage) + kRows * kRowBytes + copyOffset + q * kRowsPerPass * kRowBytes,
                  valid ? xRow + (long long)kRowsPerPass * q * K + k : x, valid);
    }
  };

  // Fragment reads: rows 16 * warp + g (+ 8) of W and g + 8b of X, piece 4u + t, whose
  // swizzle only depends on g's parity: 64 * u ^ flip bytes into the row.
  const unsigned flip = 64u * unsigned(g & 1);
  const unsigned wFragment = unsigned((16 * warp + g) * kRowBytes + 16 * t);
  const unsigned xFragment = unsigned(kRows * kRowBytes + g * kRowBytes + 16 * t);
  float acc[BT][4] = {};
  float squares[(BT + kWarps - 1) / kWarps] = {}; // X tiles b = warp + kWarps * i of this warp

  auto multiply = [&](int stage) {
#pragma unroll
    for (int u = 0; u < kSteps; ++u) {
      const unsigned base = stageAddress(stage) + ((64u * unsigned(u)) ^ flip);
      uint4 low = skinny::loadShared16(base + wFragment);
      uint4 high = skinny::loadShared16(base + wFragment + 8 * kRowBytes);
      const unsigned *lo = &low.x, *hi = &high.x;
#pragma unroll
      for (int b = 0; b < BT; ++b) {
        if (8 * b >= rows)
          break;
        uint4 xs = skinny::loadShared16(base + xFragment + 8 * b * kRowBytes);
        const unsigned *xw = &xs.x;
#pragma unroll
        for (int half = 0; half < 2; ++half) {
          unsigned aFrag[4] = {lo[2 * half], hi[2 * half], lo[2 * half + 1], hi[2 * half + 1]};
          unsigned bFrag[2] = {xw[2 * half], xw[2 * half + 1]};
          mmaM16N8K16<T>(acc[b], aFrag, bFrag);
        }
        if constexpr (Prologue::kRowScale) // each X tile's squares summed by one warp
          if (b % kWarps == warp)
            squares[b / kWarps] += skinny::squares8<T>(xs);
      }
    }
  };

  // W is a weight no kernel of a step writes: its first stages stream in before the wait for
  // the previous kernel (programmatic dependent launch); X only after it.
  allow_next_grid_launch();
#pragma unroll
  for (int s = 0; s < S - 1; ++s)
    if (s < chunks)
      copyWeights(s, s);
  wait_for_previous_grids();
#pragma unroll
  for (int s = 0; s < S - 1; ++s) {
    if (s < chunks)
      copyActivations(s, s);
    copyAsyncCommit(); // group s holds X chunk s (and, for s = 0, the early W chunks)
  }
  int stage = 0;
  for (int c = 0; c < chunks; ++c) {
    const int next = c + S - 1, refill = stage == 0 ? S - 1 : stage - 1;
    if (next < chunks) {
      copyWeights(next, refill);
      copyActivations(next, refill);
    }
    copyAsyncCommit();
    copyAsyncWait<S - 1>(); // chunk c has landed (this thread's copies)
    __syncthreads();        // ... and every thread's
    multiply(stage);
    __syncthreads(); // this stage is refilled at the next chunk
    stage = stage == S - 1 ? 0 : stage + 1;
  }
  copyAsyncWait<0>();
  __syncthreads();

  // Partial sums [m][ring row] from the C fragments (mma row = ring row, mma column = X row).
#pragma unroll
  for (int b = 0; b < BT; ++b)
#pragma unroll
    for (int e = 0; e < 4; ++e)
      partial[(8 * b + 2 * t + e % 2) * Config::kPartialStride + 16 * warp + g + 8 * (e / 2)] =
          acc[b][e];
  if constexpr (Prologue::kRowScale) {
#pragma unroll
    for (int i = 0; i < (BT + kWarps - 1) / kWarps; ++i) {
      float total = squares[i];
      total += __shfl_xor_sync(0xffffffffu, total, 1);
      total += __shfl_xor_sync(0xffffffffu, total, 2);
      const int b = warp + kWarps * i;
      if (t == 0 && b < BT)
        rowSquares[8 * b + g] = total;
    }
  }
  if constexpr (kSplit > 1)
    skinny::clusterSync();
  else
    __syncthreads();

  skinny::reducePartialsAndStore<kSplit, kThreads, Config::kPartialStride, kOut, Gating>(
      partial, rowSquares, rank, tid, rows, n0, m0, N, K, prologue, epilogue);
  if constexpr (kSplit > 1)
    skinny::clusterSync(); // the other ranks read this CTA's shared memory until here
}

} // namespace loom

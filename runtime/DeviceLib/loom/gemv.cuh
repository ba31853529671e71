// loom/gemv.cuh: the decode-shaped linear (M of 1 to 16 rows, large N and K), bound by streaming
// W once: Y[M,N] = epilogue(prologue(X[M,K] · W[N,K]^T)), the same prologues, gating and
// epilogues as loom/gemm.cuh.
//
// Wrapper contract (Config = GemvConfig<WARPS, MAX_M, ROW_TILES, UNROLL[, STAGES = 0: chosen
// [, SPLIT = 1]]>):
//   extern "C" __global__ __launch_bounds__(Config::kThreads) [__cluster_dims__(SPLIT, 1, 1)]
//   void fused_linear_7(const bf16 *x, const bf16 *w, <epilogue pointers>, bf16 *y,
//                       int M, int N, int K) {
//     loom::gemv<Config, bf16, loom::NoPrologue, loom::NoGating>(
//         x, w, M, N, K, loom::NoPrologue{}, loom::epi::makeEpilogue(y, N, <parts>...));
//   }
//   block = (Config::kThreads, 1, 1)
//   grid  = (ceil(N / Config::kCols) * SPLIT, ceil(M / MAX_M), 1)   (M is the dynamic size)
//   dynamic shared memory = 0 (Config::sharedBytes is static shared memory, for the record).
//   With Gated<Op>, W has 2N rows (gate [0,N), up [N,2N)) and N is the output width.
// Requirements: M >= 1; any M works (each grid row handles MAX_M rows), but rows beyond 16 belong
// in loom/gemm.cuh. SPLIT > 1 needs sm_90 (thread-block clusters). N and K multiples of 8, x, w
// and epilogue pointers 16-byte aligned, row strides multiples of 8 elements; otherwise the
// 16-byte loads straddle rows and results are wrong (loads are predicated per 16-byte chunk, so
// never out of bounds).
//
// How it works: the W operand goes to the tensor cores' A side (W rows = mma rows, 16 per tile)
// and X's rows to the B side (8 per tile), so the "skinny" M costs nothing and no shared memory
// is needed for the main loop: because a dot product may visit K in any order, thread (g, t)
// of a warp loads 16 contiguous bytes of W rows g and g+8 and of X row g at k = 8t..8t+7 of each
// 32-column step, and those registers are exactly the m16n8k16 A and B fragments under a fixed
// permutation of k. A quad reads 64 contiguous bytes per row and UNROLL steps are in flight per
// load batch; a ring of STAGES batches keeps STAGES - 1 of them loading while one multiplies. The CTA's
// warps split K (warp w takes steps w, w + WARPS, ...) and reduce through shared memory; then
// one thread per output pair applies the row scale, gating and epilogue.
//
// Split K over a cluster (SPLIT > 1, for grids that leave most SMs idle, e.g. a W of 128 x 8192:
// 8 tiles; tile-tiling's gemvSplit, measured in docs/perf-gemm.md): the SPLIT CTAs
// blockIdx.x = SPLIT * tile + rank share one tile of W rows, and warp w of rank r takes the K
// steps r * WARPS + w, + SPLIT * WARPS, ...; each CTA sums its warps' partials in shared memory,
// the cluster synchronizes, and rank 0 sums the ranks' sums in rank
// order through distributed shared memory (loom/gemm_skinny.cuh's reducePartialsAndStore) and
// applies the row scale (the ranks' sums of squares added the same way), gating and epilogue
// once. The order depends on SPLIT and WARPS, never on M or on timing.
//
// Programmatic dependent launch: the CTA lets the next kernel be scheduled at once and issues
// its first batches of W loads before loom::wait_for_previous_grids(), so under a launch with
// overlap the weight stream starts while the previous kernel drains — correct only when W is a
// weight no kernel of the step writes. Before the wait the body does nothing else: address
// arithmetic and predicated (branch-free) W loads; X, the row scale, the epilogue's pointers and
// its construction (pass loom::deferEpilogue(lambda) for one that does work, e.g. the rope
// table of loom/epilogue_rope_kv.cuh) come after it. An emitted wrapper calls loom::gemv without
// a wait of its own only when the compiler proved W a package weight (tile.kernel
// `loom.weights`, KernelSource::streamsWeightBeforeWait), and says so in a
// `loom.reads-before-wait` comment that LoomGridDependencyOrderTests checks against the PTX;
// every other wrapper waits at its top, which makes the early stream a no-op.
#pragma once

#include "loom/async_copy.cuh"
#include "loom/epilogue.cuh"
#include "loom/gemm_skinny.cuh" // skinny::clusterSync, reducePartialsAndStore (split K)
#include "loom/grid_dependency.cuh"
#include "loom/mma.cuh"

namespace loom {

/// 16 bytes of W past L1, zeros when `valid` is false: one predicated load, no branch (it may
/// run before the grid-dependency wait, where a branch is not allowed).
__device__ __forceinline__ uint4 loadWeight16(const void *global, bool valid) {
  uint4 value;
  asm volatile("{\n\t.reg .pred p;\n\tsetp.ne.b32 p, %5, 0;\n\t"
               "mov.b32 %0, 0;\n\tmov.b32 %1, 0;\n\tmov.b32 %2, 0;\n\tmov.b32 %3, 0;\n\t"
               "@p ld.global.nc.L1::no_allocate.v4.u32 {%0, %1, %2, %3}, [%4];\n\t}"
               : "=r"(value.x), "=r"(value.y), "=r"(value.z), "=r"(value.w)
               : "l"(global), "r"(int(valid)));
  return value;
}

template <int WARPS_, int MAX_M_, int ROW_TILES_, int UNROLL_, int STAGES_ = 0, int SPLIT_ = 1>
struct GemvConfig {
  static constexpr int kWarps = WARPS_, kMaxM = MAX_M_, kRowTiles = ROW_TILES_;
  static constexpr int kUnroll = UNROLL_;
  /// CTAs of a cluster sharing one tile of W rows, each a share of K (1: no cluster).
  static constexpr int kSplit = SPLIT_;
  static_assert(kSplit >= 1 && kSplit <= 8, "a portable cluster has at most 8 CTAs");
  /// Load batches per warp in registers; 0 lets stages() choose from the measurements.
  static constexpr int kStages = STAGES_;
  static_assert(kStages == 0 || kStages >= 2, "one batch multiplies while the others load");
  /// 32-bit registers one load batch holds per thread: 16 bytes of 2 W rows per row tile, gate
  /// and unroll step, and 16 bytes of X per n8 tile and unroll step.
  __host__ __device__ static constexpr int batchRegisters(int weightsPerOutput) {
    return kUnroll * (8 * kRowTiles * weightsPerOutput + 4 * kBatchTiles);
  }
  /// The ring depth when STAGES is 0. Under programmatic dependent launch a ring of 3 requests
  /// more of W before the grid wait (docs/perf-gemm.md, session 3 run 1: the ungated winners at
  /// MAX_M 8 had 3-4 batches), but a third batch must fit the registers: ptxas (sm_90a, 16
  /// warps, 128 registers) keeps 3 batches of 24-32 registers (+8 with the RMSNorm row sums)
  /// without spills and spills at 40 and more (gated, UNROLL 4, RMSNorm at MAX_M 16).
  __host__ __device__ static constexpr int stages(int weightsPerOutput, bool rowScale) {
    return kStages ? kStages : (batchRegisters(weightsPerOutput) + (rowScale ? 8 : 0) <= 32 ? 3 : 2);
  }
  static constexpr int kThreads = kWarps * 32;
  static constexpr int kCols = 16 * kRowTiles;   ///< outputs (W rows) per CTA
  static constexpr int kBatchTiles = kMaxM / 8;  ///< mma n8 tiles of X rows
  static constexpr int kStepK = 32 * kUnroll;    ///< K columns per warp per load batch
  static_assert(kMaxM == 8 || kMaxM == 16, "MAX_M is 8 or 16");
  static_assert(kMaxM * kCols / 2 <= kThreads, "one thread per output pair in the epilogue");
  /// Static shared memory of one CTA (partial sums of every warp, padded, and row sums; with
  /// SPLIT > 1 also the CTA's sums the cluster reduces).
  __host__ __device__ static constexpr int sharedBytes(int weightsPerOutput) {
    return 4 * kWarps * (weightsPerOutput * kMaxM * (kCols + 1) + kMaxM) +
           (kSplit > 1 ? 4 * kMaxM * (weightsPerOutput * kCols + 1) : 0);
  }
};

/// The end of a split-K GEMV CTA, after its warps' partial sums `warpPartials[warp][q][m][n]`
/// (padded rows of kCols + 1) and sums of squares `warpSquares[warp][m]` are in shared memory and
/// the CTA has synchronized: the CTA's sums over its warps, in warp order, then the cluster's
/// reduction of those (rank 0 stores every output; see the file comment).
template <class Config, class Gating, class Prologue, class Epilogue>
__device__ __forceinline__ void reduceCluster(const float *warpPartials, const float *warpSquares,
                                              int rank, int m0, int n0, int M, int N, int K,
                                              const Prologue &prologue, const Epilogue &epilogue) {
  constexpr int G = Gating::kWeightsPerOutput, kMaxM = Config::kMaxM, kCols = Config::kCols;
  constexpr int kWarps = Config::kWarps, kStride = G * kCols; // ctaSums[m][q * kCols + n]
  __shared__ __align__(16) float ctaSums[kMaxM * kStride]; // read as float2 through DSMEM
  __shared__ float ctaSquares[kMaxM];
  const int tid = int(threadIdx.x);
  if (tid < kMaxM * kCols / 2) {
    const int m = tid / (kCols / 2), n = 2 * (tid % (kCols / 2));
#pragma unroll
    for (int q = 0; q < G; ++q)
#pragma unroll
      for (int e = 0; e < 2; ++e) {
        float sum = 0.0f;
#pragma unroll
        for (int v = 0; v < kWarps; ++v)
          sum += warpPartials[((v * G + q) * kMaxM + m) * (kCols + 1) + n + e];
        ctaSums[m * kStride + q * kCols + n + e] = sum;
      }
    if constexpr (Prologue::kRowScale)
      if (n == 0) {
        float total = 0.0f;
#pragma unroll
        for (int v = 0; v < kWarps; ++v)
          total += warpSquares[v * kMaxM + m];
        ctaSquares[m] = total;
      }
  }
  skinny::clusterSync();
  skinny::reducePartialsAndStore<Config::kSplit, Config::kThreads, kStride, kCols, Gating>(
      ctaSums, ctaSquares, rank, tid, min(kMaxM, M - m0), n0, m0, N, K, prologue, epilogue);
  skinny::clusterSync(); // the other ranks read this CTA's shared memory until here
}

/// The CTA body; see the file comment for the launch contract. `epilogue` is an epilogue or a
/// loom::deferEpilogue of one.
template <class Config, typename T, class Prologue, class Gating, class Epilogue>
__device__ __forceinline__ void gemv(const T *__restrict__ x, const T *__restrict__ w, int M,
                                     int N, int K, const Prologue &prologue,
                                     const Epilogue &deferredOrBuilt) {
  constexpr int G = Gating::kWeightsPerOutput, RT = Config::kRowTiles;
  constexpr int BT = Config::kBatchTiles, U = Config::kUnroll, kMaxM = Config::kMaxM;
  constexpr int kCols = Config::kCols, kWarps = Config::kWarps;
  __shared__ float partial[kWarps][G][kMaxM][kCols + 1];
  __shared__ float rowSquares[kWarps][kMaxM];

  const int lane = int(threadIdx.x) % 32, warp = int(threadIdx.x) / 32;
  const int g = lane / 4, t = lane % 4;
  constexpr int kSplit = Config::kSplit;
  const int rank = kSplit > 1 ? int(skinny::clusterRank()) : 0; // blockIdx.x % kSplit
  const int n0 = int(blockIdx.x) / kSplit * kCols, m0 = int(blockIdx.y) * kMaxM;

  // W row pointers of this thread and whether they are in range (rows past the end point at
  // row N - 1, unread: no branch, as this runs before the grid-dependency wait); W row r of gate
  // q is q * N + r.
  const T *wRows[G][RT][2];
  bool wRowInRange[G][RT][2];
#pragma unroll
  for (int q = 0; q < G; ++q)
#pragma unroll
    for (int r = 0; r < RT; ++r)
#pragma unroll
      for (int h = 0; h < 2; ++h) {
        int n = n0 + 16 * r + g + 8 * h;
        wRowInRange[q][r][h] = n < N;
        wRows[q][r][h] = w + ((long long)q * N + min(n, N - 1)) * K;
      }
  const T *xRows[BT]; // the same for X: rows past M point at row M - 1, unread
  bool xRowInRange[BT];
#pragma unroll
  for (int b = 0; b < BT; ++b) {
    int m = m0 + 8 * b + g;
    xRowInRange[b] = m < M;
    xRows[b] = x + (long long)min(m, M - 1) * K;
  }

  struct Batch {
    uint4 w[G][RT][2][U];
    uint4 x[BT][U];
  };
  auto loadW = [&](int kBase, Batch &batch) {
#pragma unroll
    for (int u = 0; u < U; ++u) {
      int k = kBase + 32 * u + 8 * t;
      bool inK = k < K;
#pragma unroll
      for (int q = 0; q < G; ++q)
#pragma unroll
        for (int r = 0; r < RT; ++r)
#pragma unroll
          for (int h = 0; h < 2; ++h)
            batch.w[q][r][h][u] = loadWeight16(wRows[q][r][h] + k, inK && wRowInRange[q][r][h]);
    }
  };
  auto loadX = [&](int kBase, Batch &batch) {
#pragma unroll
    for (int u = 0; u < U; ++u) {
      int k = kBase + 32 * u + 8 * t;
#pragma unroll
      for (int b = 0; b < BT; ++b)
        batch.x[b][u] = loadCached16(xRows[b] + k, k < K && xRowInRange[b]);
    }
  };
  auto load = [&](int kBase, Batch &batch) {
    loadW(kBase, batch);
    loadX(kBase, batch);
  };

  float acc[G][RT][BT][4] = {};
  float squares[BT] = {};

  auto multiply = [&](const Batch &batch) {
#pragma unroll
    for (int u = 0; u < U; ++u)
#pragma unroll
      for (int half = 0; half < 2; ++half) {
        unsigned bFrag[BT][2];
#pragma unroll
        for (int b = 0; b < BT; ++b) {
          const unsigned *words = &batch.x[b][u].x;
          bFrag[b][0] = words[2 * half];
          bFrag[b][1] = words[2 * half + 1];
          if constexpr (Prologue::kRowScale) {
#pragma unroll
            for (int e = 0; e < 2; ++e) {
              float lo = toFloat(T{(unsigned short)(bFrag[b][e] & 0xffffu)});
              float hi = toFloat(T{(unsigned short)(bFrag[b][e] >> 16)});
              squares[b] += lo * lo + hi * hi;
            }
          }
        }
#pragma unroll
        for (int q = 0; q < G; ++q)
#pragma unroll
          for (int r = 0; r < RT; ++r) {
            const unsigned *low = &batch.w[q][r][0][u].x, *high = &batch.w[q][r][1][u].x;
            unsigned aFrag[4] = {low[2 * half], high[2 * half], low[2 * half + 1],
                                 high[2 * half + 1]};
#pragma unroll
            for (int b = 0; b < BT; ++b)
              mmaM16N8K16<T>(acc[q][r][b], aFrag, bFrag[b]);
          }
      }
  };

  // A ring of kStages batches: while one multiplies, the other kStages - 1 are in flight.
  constexpr int kStride = kSplit * kWarps * Config::kStepK, S = Config::stages(G, Prologue::kRowScale);
  Batch ring[S];
  int kBase = (rank * kWarps + warp) * Config::kStepK;
  // W is a weight no kernel of a step writes: its first batches stream in before the wait for
  // the previous kernel (programmatic dependent launch), X and Y only after it.
  allow_next_grid_launch();
#pragma unroll
  for (int s = 0; s < S - 1; ++s)
    loadW(kBase + s * kStride, ring[s]);
  wait_for_previous_grids();
  const auto &epilogue = epilogueAfterWait(deferredOrBuilt); // a deferred one is built here, by every thread
#pragma unroll
  for (int s = 0; s < S - 1; ++s)
    loadX(kBase + s * kStride, ring[s]);
  if constexpr (S == 2) { // one step per trip: fewer live registers than the unrolled ring
    for (; kBase < K; kBase += kStride) {
      load(kBase + kStride, ring[1]);
      multiply(ring[0]);
      ring[0] = ring[1];
    }
  } else {
    for (; kBase < K; kBase += S * kStride) {
#pragma unroll
      for (int s = 0; s < S; ++s) {
        const int step = kBase + s * kStride;
        load(step + (S - 1) * kStride, ring[(s + S - 1) % S]); // the slot multiplied last
        if (step < K)
          multiply(ring[s]);
      }
    }
  }

  // Partial sums of this warp, scattered from the C fragments (mma row = output column n,
  // mma column = X row m) to [m][n].
#pragma unroll
  for (int q = 0; q < G; ++q)
#pragma unroll
    for (int r = 0; r < RT; ++r)
#pragma unroll
      for (int b = 0; b < BT; ++b)
#pragma unroll
        for (int e = 0; e < 4; ++e)
          partial[warp][q][8 * b + 2 * t + e % 2][16 * r + g + 8 * (e / 2)] = acc[q][r][b][e];
  if constexpr (Prologue::kRowScale) {
#pragma unroll
    for (int b = 0; b < BT; ++b) {
      float total = squares[b];
      total += __shfl_xor_sync(0xffffffffu, total, 1);
      total += __shfl_xor_sync(0xffffffffu, total, 2);
      if (t == 0)
        rowSquares[warp][8 * b + g] = total;
    }
  }
  __syncthreads();
  if constexpr (kSplit > 1) {
    reduceCluster<Config, Gating>(&partial[0][0][0][0], &rowSquares[0][0], rank, m0, n0, M, N, K,
                                  prologue, epilogue);
    return;
  }

  const int pair = int(threadIdx.x);
  if (pair >= kMaxM * kCols / 2)
    return;
  const int mLocal = pair / (kCols / 2), nLocal = 2 * (pair % (kCols / 2));
  const int row = m0 + mLocal, col = n0 + nLocal;
  if (row >= M || col >= N)
    return;
  float sums[G][2] = {};
#pragma unroll
  for (int v = 0; v < kWarps; ++v)
#pragma unroll
    for (int q = 0; q < G; ++q)
#pragma unroll
      for (int e = 0; e < 2; ++e)
        sums[q][e] += partial[v][q][mLocal][nLocal + e];
  float scale = 1.0f;
  if constexpr (Prologue::kRowScale) {
    float total = 0.0f;
#pragma unroll
    for (int v = 0; v < kWarps; ++v)
      total += rowSquares[v][mLocal];
    scale = rsqrtf(total / float(K) + prologue.eps);
  }
  float v0 = sums[0][0] * scale, v1 = sums[0][1] * scale;
  if constexpr (G == 2) {
    v0 = Gating::combine(v0, sums[G - 1][0] * scale);
    v1 = Gating::combine(v1, sums[G - 1][1] * scale);
  }
  epilogue(row, col, v0, v1);
}

} // namespace loom

// loom/gemm.cuh: the tensor-core GEMM of sm_80 and up (mma.sync m16n8k16, cp.async pipeline),
// Y[M,N] = epilogue(prologue(X[M,K] · W[N,K]^T)) with W in nn.Linear layout.
//
// Wrapper contract (what the CUDA emitter writes; Config = GemmConfig<BM, BN, BK, WARPS_M,
// WARPS_N, STAGES>):
//   extern "C" __global__ __launch_bounds__(Config::kThreads)
//   void fused_linear_3(const bf16 *x, const bf16 *w, <epilogue pointers>, bf16 *y,
//                       int M, int N, int K) {
//     loom::gemm<Config, bf16, loom::NoPrologue, loom::NoGating>(
//         x, w, M, N, K, loom::NoPrologue{}, loom::epi::makeEpilogue(y, N, <parts>...));
//   }
//   block = (Config::kThreads, 1, 1)
//   grid  = (ceil(M / BM) * ceil(N / BN), 1, 1)                    (M is the dynamic size)
//   dynamic shared memory = Config::sharedBytes(Gating::kWeightsPerOutput) bytes; above 48 KB
//   the launcher raises the kernel's limit (rt::launchKernel does).
//   N is the number of outputs per row; with Gated<Op>, W has 2N rows (gate [0,N), up [N,2N)).
// Requirements: M >= 1 (any value; rows past M are zero-filled and never stored); N and K
// multiples of 8; x, w and every epilogue pointer 16-byte aligned with row strides that are
// multiples of 8 elements. Otherwise the 16-byte copies straddle rows: the results are wrong
// (never out-of-bounds reads of X or W, whose predicates are per 16-byte chunk), so the compiler
// must route such shapes elsewhere. M == 0 must not be launched (an empty grid).
//
// How it works: CTA tiles are visited in groups of 8 tile rows (L2 reuse of W). Each K step of
// BK columns is copied with 16-byte cp.async into stage kt % STAGES (zero-filled past M, N, K);
// STAGES - 1 steps are in flight while one is computed. Shared tiles are XOR-swizzled in 16-byte
// chunks (chunk ^= line % 8, 128-byte lines) so ldmatrix and the copies are free of bank
// conflicts. Each warp owns a (BM / WARPS_M) x (BN / WARPS_N) block of mma.sync m16n8k16 tiles.
// The RMSNorm prologue sums x^2 from the A fragments each warp already holds (the fragment rows
// are the accumulator rows), so the row scale costs no extra memory traffic.
#pragma once

#include "loom/async_copy.cuh"
#include "loom/epilogue.cuh"
#include "loom/mma.cuh"

namespace loom {

template <int BM_, int BN_, int BK_, int WARPS_M_, int WARPS_N_, int STAGES_> struct GemmConfig {
  static constexpr int BM = BM_, BN = BN_, BK = BK_;
  static constexpr int kWarpsM = WARPS_M_, kWarpsN = WARPS_N_, kStages = STAGES_;
  static constexpr int kThreads = kWarpsM * kWarpsN * 32;
  static constexpr int kWarpRows = BM / kWarpsM, kWarpCols = BN / kWarpsN;
  static constexpr int kMmaRows = kWarpRows / 16, kMmaCols = kWarpCols / 8;
  static_assert(BK == 32 || BK == 64, "BK must be 32 or 64 (the swizzle assumes it)");
  static_assert(kWarpRows % 16 == 0 && kWarpCols % 16 == 0, "warp tile must be 16-aligned");
  static_assert(kStages >= 2, "a pipeline needs at least two stages");
  static_assert((BM * BK / 8) % kThreads == 0 && (BN * BK / 8) % kThreads == 0,
                "every thread copies the same number of 16-byte chunks");

  /// Dynamic shared memory of one CTA: STAGES x (X tile + weightsPerOutput W tiles), 16-bit.
  __host__ __device__ static constexpr int sharedBytes(int weightsPerOutput) {
    return kStages * (BM + weightsPerOutput * BN) * BK * 2;
  }
};

namespace gemm_detail {

/// Byte offset of 16-byte chunk `chunk` of `row` in a tile with BK 16-bit columns.
template <int BK> __device__ __forceinline__ unsigned swizzled(int row, int chunk) {
  int linear = row * (BK / 8) + chunk;
  return unsigned((linear & ~7) | ((linear ^ (linear >> 3)) & 7)) * 16u;
}

/// Copies rows [0, ROWS) x BK columns of one stage; `source(row)` gives the global row pointer
/// or nullptr for a row past the end.
template <class Config, int ROWS, typename T, typename RowSource>
__device__ __forceinline__ void copyTile(unsigned sharedBase, const T *fallback, int k0, int K,
                                         RowSource source) {
  constexpr int kChunksPerRow = Config::BK / 8;
#pragma unroll
  for (int i = 0; i < ROWS * kChunksPerRow / Config::kThreads; ++i) {
    int chunkId = i * Config::kThreads + int(threadIdx.x);
    int row = chunkId / kChunksPerRow, chunk = chunkId % kChunksPerRow;
    int k = k0 + chunk * 8;
    const T *rowPointer = source(row);
    bool valid = rowPointer != nullptr && k < K;
    copyAsync16(sharedBase + swizzled<Config::BK>(row, chunk), valid ? rowPointer + k : fallback,
                valid);
  }
}

} // namespace gemm_detail

/// The CTA body; see the file comment for the launch contract.
template <class Config, typename T, class Prologue, class Gating, class Epilogue>
__device__ __forceinline__ void gemm(const T *__restrict__ x, const T *__restrict__ w, int M,
                                     int N, int K, const Prologue &prologue,
                                     const Epilogue &epilogue) {
  using namespace gemm_detail;
  constexpr int BM = Config::BM, BN = Config::BN, BK = Config::BK, S = Config::kStages;
  constexpr int G = Gating::kWeightsPerOutput;
  constexpr int MI = Config::kMmaRows, NJ = Config::kMmaCols;
  constexpr unsigned kTileXBytes = BM * BK * 2, kStageBytes = (BM + G * BN) * BK * 2;
  extern __shared__ __align__(128) unsigned char gemmShared[];
  const unsigned sharedBase = sharedAddress(gemmShared);

  // Grouped tile order: 8 tile rows share W tiles while they are in L2.
  constexpr int kGroupRows = 8;
  const int tilesM = (M + BM - 1) / BM, tilesN = (N + BN - 1) / BN;
  const int tilesPerGroup = kGroupRows * tilesN;
  const int group = int(blockIdx.x) / tilesPerGroup;
  const int firstTileM = group * kGroupRows;
  const int groupRows = min(tilesM - firstTileM, kGroupRows);
  const int inGroup = int(blockIdx.x) % tilesPerGroup;
  const int m0 = (firstTileM + inGroup % groupRows) * BM;
  const int n0 = (inGroup / groupRows) * BN;

  const int lane = int(threadIdx.x) % 32, warp = int(threadIdx.x) / 32;
  const int warpRow = (warp / Config::kWarpsN) * Config::kWarpRows;
  const int warpCol = (warp % Config::kWarpsN) * Config::kWarpCols;

  auto xRow = [&](int row) -> const T * {
    return m0 + row < M ? x + (long long)(m0 + row) * K : nullptr;
  };
  auto wRow = [&](int row) -> const T * {
    int gate = row / BN, n = n0 + row % BN;
    return n < N ? w + ((long long)gate * N + n) * K : nullptr;
  };
  auto loadStage = [&](int kTile) {
    unsigned stage = sharedBase + unsigned(kTile % S) * kStageBytes;
    copyTile<Config, BM>(stage, x, kTile * BK, K, xRow);
    copyTile<Config, G * BN>(stage + kTileXBytes, w, kTile * BK, K, wRow);
  };

  float acc[G][MI][NJ][4] = {};
  float sumSquares[MI][2] = {};

  const int kTiles = (K + BK - 1) / BK;
#pragma unroll
  for (int s = 0; s < S - 1; ++s) {
    if (s < kTiles)
      loadStage(s);
    copyAsyncCommit();
  }

  for (int kTile = 0; kTile < kTiles; ++kTile) {
    copyAsyncWait<S - 2>();
    __syncthreads();
    if (kTile + S - 1 < kTiles)
      loadStage(kTile + S - 1);
    copyAsyncCommit();

    const unsigned tileX = sharedBase + unsigned(kTile % S) * kStageBytes;
    const unsigned tileW = tileX + kTileXBytes;
#pragma unroll
    for (int kk = 0; kk < BK / 16; ++kk) {
      unsigned a[MI][4];
#pragma unroll
      for (int i = 0; i < MI; ++i) {
        int row = warpRow + i * 16 + lane % 8 + 8 * ((lane / 8) % 2);
        loadMatrixX4(a[i], tileX + swizzled<BK>(row, kk * 2 + lane / 16));
      }
      unsigned b[G][NJ][2];
#pragma unroll
      for (int g = 0; g < G; ++g)
#pragma unroll
        for (int j = 0; j < NJ; j += 2) {
          int row = g * BN + warpCol + j * 8 + lane % 8 + 8 * (lane / 16);
          unsigned r[4];
          loadMatrixX4(r, tileW + swizzled<BK>(row, kk * 2 + (lane / 8) % 2));
          b[g][j][0] = r[0];
          b[g][j][1] = r[1];
          b[g][j + 1][0] = r[2];
          b[g][j + 1][1] = r[3];
        }
#pragma unroll
      for (int g = 0; g < G; ++g)
#pragma unroll
        for (int i = 0; i < MI; ++i)
#pragma unroll
          for (int j = 0; j < NJ; ++j)
            mmaM16N8K16<T>(acc[g][i][j], a[i], b[g][j]);
      if constexpr (Prologue::kRowScale) {
#pragma unroll
        for (int i = 0; i < MI; ++i)
#pragma unroll
          for (int r = 0; r < 4; ++r) {
            float lo = toFloat(T{(unsigned short)(a[i][r] & 0xffffu)});
            float hi = toFloat(T{(unsigned short)(a[i][r] >> 16)});
            sumSquares[i][r % 2] += lo * lo + hi * hi;
          }
      }
    }
  }
  copyAsyncWait<0>();

  float rowScale[MI][2];
#pragma unroll
  for (int i = 0; i < MI; ++i)
#pragma unroll
    for (int h = 0; h < 2; ++h) {
      rowScale[i][h] = 1.0f;
      if constexpr (Prologue::kRowScale) {
        float total = sumSquares[i][h];
        total += __shfl_xor_sync(0xffffffffu, total, 1);
        total += __shfl_xor_sync(0xffffffffu, total, 2);
        rowScale[i][h] = rsqrtf(total / float(K) + prologue.eps);
      }
    }

#pragma unroll
  for (int i = 0; i < MI; ++i)
#pragma unroll
    for (int j = 0; j < NJ; ++j) {
      int col = n0 + warpCol + j * 8 + 2 * (lane % 4);
#pragma unroll
      for (int h = 0; h < 2; ++h) {
        int row = m0 + warpRow + i * 16 + lane / 4 + 8 * h;
        float v0 = acc[0][i][j][2 * h] * rowScale[i][h];
        float v1 = acc[0][i][j][2 * h + 1] * rowScale[i][h];
        if constexpr (G == 2) {
          v0 = Gating::combine(v0, acc[G - 1][i][j][2 * h] * rowScale[i][h]);
          v1 = Gating::combine(v1, acc[G - 1][i][j][2 * h + 1] * rowScale[i][h]);
        }
        if (row < M && col < N)
          epilogue(row, col, v0, v1);
      }
    }
}

} // namespace loom

// loom/attention_prefill_sm90.cuh: graph.paged_attention for a ragged batch of query rows on
// Hopper (sm_90a only): wgmma for both matrix products, a producer warpgroup gathering paged K/V.
//
// Wrapper contract (Config = AttentionPrefillSm90Config<HEAD_DIM, BN, STAGES>; T = bf16 or f16;
// HEADS / KV_HEADS / BLOCK_SIZE / CAUSAL from the op's attributes and the kv_cache type) — the
// same arguments and grid formula as loom/attention_prefill.cuh, with BM = Config::BM = 128:
//   extern "C" __global__ __launch_bounds__(Config::kThreads, 1)
//   void paged_attention_4(const bf16 *q, int qRowStride, const bf16 *kCache,
//                          const bf16 *vCache, bf16 *out, const int *seqStarts,
//                          const int *contextLens, const int *blockTables, int seqs,
//                          int blocksPerSeq, int layer, int cacheBlocks, float scale) {
//     loom::sm90::attentionPrefillSm90<Config, bf16, HEADS, KV_HEADS, BLOCK_SIZE, CAUSAL>(q,
//         qRowStride, kCache, vCache, out, seqStarts, contextLens, blockTables, seqs,
//         blocksPerSeq, layer, cacheBlocks, scale);
//   }
//   block = (Config::kThreads = 384, 1, 1)
//   grid  = (HEADS, ceil(tokens / 128) + seqs, 1)   (CTAs past the batch's last tile exit)
//   dynamic shared memory = Config::kSharedBytes = 1024 + (128 + 2 STAGES BN) HEAD_DIM 2 +
//           8 (1 + 4 STAGES) (225 KB for 128/128/3, 161 KB for 128/128/2; the launcher raises
//           the limit above 48 KB). sm_90a only (wgmma, setmaxnreg).
// Arguments, paged addressing and ragged-batch semantics: exactly loom/attention_prefill.cuh's.
//
// How it works. Warpgroup 0 produces, in two independent halves of 64 threads: one copies the
// CTA's 128 x HEAD_DIM Q tile and then the K tiles, the other the V tiles, each tile BN context
// positions gathered row by row through the block table with 16-byte cp.async (positions past the
// visible end are zero-filled) into a ring of STAGES stages. Each copy group ends with
// cp.async.mbarrier.arrive on the stage's "full" barrier (K and V have their own, so S = Q K^T
// starts before V lands); before refilling a stage a half waits on the stage's "empty" barrier.
// Every shared tile is stored as 64-column panels of 128-byte rows with the 128-byte swizzle
// wgmma reads (chunk c of row r at c ^ (r % 8)).
// Warpgroups 1 and 2 consume, 64 query rows each: S = Q K^T is a chain of m64nBNk16 wgmmas with
// both operands in shared memory (K-major); the online softmax (f32, exp2) runs on the S
// accumulators; P is repacked from them into A fragments in registers, and O += P V is a chain of
// m64nDk16 wgmmas with V read N-major (transposed) from the same row layout. The loop is software
// pipelined inside each warpgroup: S(j+1) and P(j) V(j) are issued back to back, so the softmax of
// tile j+1 runs on the CUDA cores while the tensor cores finish P(j) V(j).
#pragma once

#include "loom/async_copy.cuh"
#include "loom/attention_common.cuh"
#include "loom/attention_prefill_tiles.cuh"
#include "loom/mbarrier.cuh"
#include "loom/wgmma.cuh"

namespace loom::sm90 {

/// Tile of the Hopper prefill: 128 query rows (two consumer warpgroups of 64) by BN positions,
/// STAGES K and V tiles in flight.
template <int HEAD_DIM, int BN_, int STAGES = 2> struct AttentionPrefillSm90Config {
  static constexpr int kHeadDim = HEAD_DIM, BM = 128, BN = BN_, kStages = STAGES;
  static constexpr int kConsumers = 2, kThreads = 128 * (1 + kConsumers);
  static constexpr int kLoaderThreads = 64; ///< producer threads per operand (K, V)
  static_assert(kStages >= 2, "a ring needs two stages");
  static constexpr int kChunksPerRow = kHeadDim / 8; ///< 16-byte chunks of one head row
  static_assert(kHeadDim == 64 || kHeadDim == 128, "head dims 64 and 128");
  static_assert(BN == 64 || BN == 128, "a wgmma N this file instantiates");
  static constexpr int kTileQBytes = BM * kHeadDim * 2, kTileKvBytes = BN * kHeadDim * 2;
  /// Register budgets after setmaxnreg. setmaxnreg.inc only takes what .dec released inside the
  /// CTA: from kEntryRegisters (the cap of __launch_bounds__(384, 1)), 128 (entry - producer) must
  /// cover 256 (consumer - entry), or the consumers wait forever (a hang seen with 80 / 216).
  static constexpr int kEntryRegisters = 65536 / kThreads / 8 * 8;
  static constexpr int kProducerRegisters = 56, kConsumerRegisters = 224;
  static_assert((kEntryRegisters - kProducerRegisters) * 128 >=
                    (kConsumerRegisters - kEntryRegisters) * 128 * kConsumers,
                "the consumers' setmaxnreg.inc would wait for registers nobody releases");
  /// 1 KB of alignment slack (swizzled tiles start on 1024-byte boundaries), Q, the K and V
  /// rings, then the barriers: Q full, K full[stages], V full[stages], K empty, V empty.
  static constexpr int kBarriers = 1 + 4 * kStages;
  static constexpr int kSharedBytes =
      1024 + kTileQBytes + 2 * kStages * kTileKvBytes + 8 * kBarriers;
  static_assert(kSharedBytes <= 227 * 1024, "more shared memory than a Hopper CTA gets");
};

namespace prefill_sm90_detail {

/// Byte offset of 16-byte chunk `chunk` of `row` in a tile of `kRows` rows stored as 64-column
/// panels (kRows x 128 B each) with the 128-byte swizzle.
template <int kRows> __device__ __forceinline__ unsigned panelOffset(int row, int chunk) {
  return unsigned((chunk / 8) * (kRows * 128) + row * 128 + (((chunk % 8) ^ (row % 8)) * 16));
}

/// A wgmma shared-memory descriptor with the 128-byte swizzle: start address, leading and stride
/// byte offsets. K-major tiles use stride 1024 (8-row atoms; leading unused); N-major tiles use
/// leading = the panel size (next 64 columns), stride = 1024 (next 8 rows of K).
__device__ __forceinline__ unsigned long long descriptor(unsigned address, unsigned leading,
                                                         unsigned stride) {
  return (static_cast<unsigned long long>((address & 0x3ffff) >> 4)) |
         (static_cast<unsigned long long>(leading >> 4) << 16) |
         (static_cast<unsigned long long>(stride >> 4) << 32) | kWgmmaSwizzle128B;
}

/// 2^x on the special function unit (arguments are <= 0 here; -inf gives 0).
__device__ __forceinline__ float exp2Approx(float x) {
  float y;
  asm("ex2.approx.ftz.f32 %0, %1;" : "=f"(y) : "f"(x));
  return y;
}

/// Orders shared-memory writes of the generic proxy (cp.async) before wgmma's reads.
__device__ __forceinline__ void fenceProxyAsync() {
  asm volatile("fence.proxy.async.shared::cta;" ::: "memory");
}

/// One arrival on `barrier` once all of this thread's earlier cp.async copies have landed; the
/// arrival counts towards the barrier's expected count (.noinc).
__device__ __forceinline__ void copyAsyncArriveOn(unsigned barrier) {
  asm volatile("cp.async.mbarrier.arrive.noinc.shared::cta.b64 [%0];" ::"r"(barrier) : "memory");
}

/// Keeps registers that an in-flight wgmma reads (A fragments) alive and in place.
template <int Count> __device__ __forceinline__ void holdOperands(unsigned (&a)[Count]) {
#pragma unroll
  for (int i = 0; i < Count; ++i)
    asm volatile("" : "+r"(a[i])::"memory");
}

// Operand lists: accumulators %0..%(N/2 - 1), then the A operand, B descriptor and scale-d.
#define LOOM_ACC10(i)                                                                          \
  "%" #i "0, %" #i "1, %" #i "2, %" #i "3, %" #i "4, %" #i "5, %" #i "6, %" #i "7, %" #i "8, %" #i "9"
#define LOOM_ATT_ACC32 "%0, %1, %2, %3, %4, %5, %6, %7, %8, %9, " LOOM_ACC10(1) ", " LOOM_ACC10(2) ", %30, %31"
#define LOOM_ATT_ACC64                                                                         \
  "%0, %1, %2, %3, %4, %5, %6, %7, %8, %9, " LOOM_ACC10(1) ", " LOOM_ACC10(2) ", "              \
  LOOM_ACC10(3) ", " LOOM_ACC10(4) ", " LOOM_ACC10(5) ", %60, %61, %62, %63"
#define LOOM_ATT_OUT4(d, i) "+f"(d[i]), "+f"(d[i + 1]), "+f"(d[i + 2]), "+f"(d[i + 3])
#define LOOM_ATT_OUT16(d, i)                                                                   \
  LOOM_ATT_OUT4(d, i), LOOM_ATT_OUT4(d, i + 4), LOOM_ATT_OUT4(d, i + 8), LOOM_ATT_OUT4(d, i + 12)
#define LOOM_ATT_OUT32(d) LOOM_ATT_OUT16(d, 0), LOOM_ATT_OUT16(d, 16)
#define LOOM_ATT_OUT64(d) LOOM_ATT_OUT32(d), LOOM_ATT_OUT16(d, 32), LOOM_ATT_OUT16(d, 48)

/// m64nNk16 with f32 accumulators; TYPE names the 16-bit input type in PTX.
///   shared(d, descA, descB, accumulate): A and B K-major in shared memory.
///   registers(d, a, descB, accumulate):  A fragments in registers, B N-major (transposed).
template <typename T, int N> struct Wgmma;

#define LOOM_ATT_WGMMA(CT, TYPE, N, ACC, A_SS, B_SS, S_SS, A_RS, B_RS, S_RS, OUTS)            \
  template <> struct Wgmma<CT, N> {                                                          \
    static __device__ __forceinline__ void shared(float (&d)[N / 2], unsigned long long descA, \
                                                  unsigned long long descB, int accumulate) { \
      asm volatile("{\n.reg .pred p;\nsetp.ne.b32 p, " S_SS ", 0;\n"                           \
                   "wgmma.mma_async.sync.aligned.m64n" #N "k16.f32." TYPE "." TYPE " {" ACC    \
                   "}, " A_SS ", " B_SS ", p, 1, 1, 0, 0;\n}\n"                                \
                   : OUTS(d)                                                                  \
                   : "l"(descA), "l"(descB), "r"(accumulate));                               \
    }                                                                                        \
    static __device__ __forceinline__ void registers(float (&d)[N / 2], const unsigned (&a)[4], \
                                                     unsigned long long descB, int accumulate) { \
      asm volatile("{\n.reg .pred p;\nsetp.ne.b32 p, " S_RS ", 0;\n"                           \
                   "wgmma.mma_async.sync.aligned.m64n" #N "k16.f32." TYPE "." TYPE " {" ACC    \
                   "}, " A_RS ", " B_RS ", p, 1, 1, 1;\n}\n"                                   \
                   : OUTS(d)                                                                  \
                   : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "l"(descB),                 \
                     "r"(accumulate));                                                        \
    }                                                                                        \
  };
#define LOOM_ATT_WGMMA_N64(CT, TYPE)                                                          \
  LOOM_ATT_WGMMA(CT, TYPE, 64, LOOM_ATT_ACC32, "%32", "%33", "%34", "{%32, %33, %34, %35}",    \
                 "%36", "%37", LOOM_ATT_OUT32)
#define LOOM_ATT_WGMMA_N128(CT, TYPE)                                                         \
  LOOM_ATT_WGMMA(CT, TYPE, 128, LOOM_ATT_ACC64, "%64", "%65", "%66", "{%64, %65, %66, %67}",   \
                 "%68", "%69", LOOM_ATT_OUT64)
LOOM_ATT_WGMMA_N64(bf16, "bf16")
LOOM_ATT_WGMMA_N128(bf16, "bf16")
LOOM_ATT_WGMMA_N64(f16, "f16")
LOOM_ATT_WGMMA_N128(f16, "f16")
#undef LOOM_ATT_WGMMA_N128
#undef LOOM_ATT_WGMMA_N64
#undef LOOM_ATT_WGMMA
#undef LOOM_ATT_OUT64
#undef LOOM_ATT_OUT32
#undef LOOM_ATT_OUT16
#undef LOOM_ATT_OUT4
#undef LOOM_ATT_ACC64
#undef LOOM_ATT_ACC32
#undef LOOM_ACC10

/// The shared-memory map of one CTA (addresses in the shared window).
template <class Config> struct SharedTiles {
  unsigned q, k, v, barriers;
  __device__ __forceinline__ explicit SharedTiles(unsigned base) {
    q = (base + 1023u) & ~1023u;
    k = q + Config::kTileQBytes;
    v = k + Config::kStages * Config::kTileKvBytes;
    barriers = v + Config::kStages * Config::kTileKvBytes;
  }
  __device__ __forceinline__ unsigned kStage(int stage) const {
    return k + stage * Config::kTileKvBytes;
  }
  __device__ __forceinline__ unsigned vStage(int stage) const {
    return v + stage * Config::kTileKvBytes;
  }
  __device__ __forceinline__ unsigned qFull() const { return barriers; }
  __device__ __forceinline__ unsigned kFull(int stage) const { return barriers + 8 * (1 + stage); }
  __device__ __forceinline__ unsigned vFull(int stage) const {
    return barriers + 8 * (1 + Config::kStages + stage);
  }
  __device__ __forceinline__ unsigned kEmpty(int stage) const {
    return barriers + 8 * (1 + 2 * Config::kStages + stage);
  }
  __device__ __forceinline__ unsigned vEmpty(int stage) const {
    return barriers + 8 * (1 + 3 * Config::kStages + stage);
  }
};

} // namespace prefill_sm90_detail

/// The CTA body; see the file comment for the launch contract.
template <class Config, typename T, int kHeads, int kKvHeads, int kBlockSize, bool kCausal>
__device__ __forceinline__ void
attentionPrefillSm90(const T *__restrict__ q, int qRowStride, const T *__restrict__ kCache,
                     const T *__restrict__ vCache, T *__restrict__ out, const int *seqStarts,
                     const int *contextLens, const int *blockTables, int seqs, int blocksPerSeq,
                     int layer, int cacheBlocks, float scale) {
  using namespace prefill_sm90_detail;
  using namespace prefill_detail;
  constexpr int D = Config::kHeadDim, BM = Config::BM, BN = Config::BN;
  constexpr int kChunks = Config::kChunksPerRow, kStages = Config::kStages;
  using Layout = PagedLayout<kKvHeads, D, kBlockSize>;
  static_assert(kHeads % kKvHeads == 0, "query heads are whole groups per KV head");

  const TileSlot slot = findTile<BM>(seqStarts, seqs, int(blockIdx.y));
  if (!slot.found)
    return;
  const int head = int(blockIdx.x), kvHead = head / (kHeads / kKvHeads);
  const TileGeometry tile = tileGeometry<BM, BN, kCausal>(
      seqStarts, Layout::clampContext(contextLens[slot.seq], blocksPerSeq), slot);

  extern __shared__ __align__(1024) unsigned char attentionSharedSm90[];
  const SharedTiles<Config> smem(loom::sharedAddress(attentionSharedSm90));
  const int thread = int(threadIdx.x), warpgroup = thread / 128;
  if (thread == 0) {
    mbarrierInit(smem.qFull(), Config::kLoaderThreads);
    for (int stage = 0; stage < kStages; ++stage) {
      mbarrierInit(smem.kFull(stage), Config::kLoaderThreads);
      mbarrierInit(smem.vFull(stage), Config::kLoaderThreads);
      mbarrierInit(smem.kEmpty(stage), 4 * Config::kConsumers);
      mbarrierInit(smem.vEmpty(stage), 4 * Config::kConsumers);
    }
    mbarrierInitFence();
  }
  __syncthreads();

  if (warpgroup == 0) {
    // Producers: warps 0-1 copy Q, then K(j) into stage j % kStages; warps 2-3 copy V(j). The
    // halves run independently, so a K stage is refilled as soon as S(j) has read it.
    warpgroupRegistersDecrease<Config::kProducerRegisters>();
    constexpr int kLoaders = Config::kLoaderThreads;
    const bool loadsKeys = thread < kLoaders;
    const int id = thread % kLoaders;
    if (loadsKeys) {
#pragma unroll 4
      for (int i = 0; i < BM * kChunks / kLoaders; ++i) {
        const int row = (i * kLoaders + id) / kChunks, chunk = id % kChunks;
        const bool valid = row < tile.rows;
        const T *source = valid ? q + (long long)(tile.firstRow + tile.m0 + row) * qRowStride +
                                      head * D + chunk * 8
                                : q;
        copyAsync16(smem.q + panelOffset<BM>(row, chunk), source, valid);
      }
      copyAsyncArriveOn(smem.qFull());
    }
    const T *pool = (loadsKeys ? kCache : vCache) + Layout::layerOffset(layer, cacheBlocks);
    const int *blockTable = blockTables + (long long)slot.seq * blocksPerSeq;
    // Thread `id` copies chunk id % kChunks of kRowsPerThread consecutive rows of each tile, so
    // its rows span few paged blocks: the block table is read once per block (kLookupEvery
    // rows), not once per row, and those loads do not wait on each other's copies.
    constexpr int kRowsPerThread = BN * kChunks / kLoaders;
    constexpr int kLookupEvery = kRowsPerThread % kBlockSize == 0   ? kBlockSize
                                 : kBlockSize % kRowsPerThread == 0 ? kRowsPerThread
                                                                    : 1;
    const int chunk = id % kChunks, firstRow = (id / kChunks) * kRowsPerThread;
    for (int j = 0; j < tile.kvTiles; ++j) {
      const int stage = j % kStages;
      if (j >= kStages) // wait for the consumers' release of the tile before this one
        mbarrierWait(loadsKeys ? smem.kEmpty(stage) : smem.vEmpty(stage),
                     ((j / kStages) + 1) & 1);
      const unsigned sharedTile = loadsKeys ? smem.kStage(stage) : smem.vStage(stage);
      const int firstPosition = j * BN + firstRow, validRows = tile.visibleEnd - firstPosition;
      // Row i of a lookup group lives kTokenElements after row i - 1 of the same block.
      int blocks[kRowsPerThread / kLookupEvery];
#pragma unroll
      for (int b = 0; b < kRowsPerThread / kLookupEvery; ++b) {
        const int position = firstPosition + b * kLookupEvery;
        blocks[b] = b * kLookupEvery < validRows
                        ? Layout::clampBlock(__ldg(blockTable + position / kBlockSize), cacheBlocks)
                        : 0;
      }
#pragma unroll
      for (int b = 0; b < kRowsPerThread / kLookupEvery; ++b) {
        const int position = firstPosition + b * kLookupEvery;
        const T *group =
            pool + Layout::rowOffset(blocks[b], position % kBlockSize, kvHead) + chunk * 8;
#pragma unroll
        for (int r = 0; r < kLookupEvery; ++r) {
          const int i = b * kLookupEvery + r;
          const bool valid = i < validRows;
          copyAsync16(sharedTile + panelOffset<BN>(firstRow + i, chunk),
                      valid ? group + r * Layout::kTokenElements : pool, valid);
        }
      }
      copyAsyncArriveOn(loadsKeys ? smem.kFull(stage) : smem.vFull(stage));
    }
    asm volatile("cp.async.wait_all;" ::: "memory");
    return;
  }

  // Consumers: warpgroup c owns the tile's rows 64 (c - 1) .. 64 c - 1.
  warpgroupRegistersIncrease<Config::kConsumerRegisters>();
  const int consumerThread = thread - 128, lane = thread % 32;
  const int warpRow = 16 * (consumerThread / 32); // of the 128-row tile
  const int g = lane / 4, t = lane % 4;
  const bool releaser = lane == 0;                // one empty-barrier arrival per warp
  const float scaleLog2 = scale * kLog2e;

  float o[D / 2];
  float s[BN / 2];
  unsigned p[BN / 16][4];
  float rowMax[2] = {kSoftmaxStartMax, kSoftmaxStartMax}, rowSum[2] = {0.0f, 0.0f};
#pragma unroll
  for (int i = 0; i < D / 2; ++i)
    o[i] = 0.0f;

  const unsigned qTile = smem.q + (warpRow / 64) * 64 * 128;
  // Waits until tile j has landed in a stage whose full barrier is `full`, then fences.
  auto acquire = [&](unsigned full, int j) {
    mbarrierWait(full, (j / kStages) & 1);
    fenceProxyAsync();
    wgmmaFence();
  };
  // S = Q K(j)^T into s (issued, committed, not waited for).
  auto startScores = [&](int j) {
    acquire(smem.kFull(j % kStages), j);
    const unsigned kTile = smem.kStage(j % kStages);
#pragma unroll
    for (int kk = 0; kk < D / 16; ++kk) {
      const unsigned panel = (kk / 4), within = (kk % 4) * 32;
      Wgmma<T, BN>::shared(s, descriptor(qTile + panel * BM * 128 + within, 16, 1024),
                           descriptor(kTile + panel * BN * 128 + within, 16, 1024), kk > 0);
    }
    wgmmaCommitGroup();
  };
  // O += P V(j) (issued, committed, not waited for).
  auto startValues = [&](int j) {
    acquire(smem.vFull(j % kStages), j);
    const unsigned vTile = smem.vStage(j % kStages);
#pragma unroll
    for (int kk = 0; kk < BN / 16; ++kk)
      Wgmma<T, D>::registers(o, p[kk], descriptor(vTile + kk * 16 * 128, BN * 128, 1024), 1);
    wgmmaCommitGroup();
  };
  // Masks s (masked: tiles that may hold keys past a row's end; callers pass a constant, so the
  // inlined copies have the compare or not), updates the running max and
  // sum (of raw scores: the scale is positive, so it is folded into one FFMA per exponent) and
  // turns s into probabilities; alpha gets the factors O must be scaled by.
  auto softmax = [&](int j, float (&alpha)[2], bool masked) {
    const int n0 = j * BN;
#pragma unroll
    for (int h = 0; h < 2; ++h) {
      const int position = tile.firstPosition + warpRow + g + 8 * h;
      const int end = kCausal ? min(position + 1, tile.context) : tile.context;
      float tileMax = kSoftmaxStartMax;
#pragma unroll
      for (int c = 0; c < BN / 8; ++c)
#pragma unroll
        for (int e = 0; e < 2; ++e) {
          float &score = s[4 * c + 2 * h + e];
          if (masked && n0 + 8 * c + 2 * t + e >= end)
            score = -__int_as_float(0x7f800000); // -inf
          tileMax = fmaxf(tileMax, score);
        }
      const float newMax = fmaxf(rowMax[h], quadMax(tileMax));
      alpha[h] = exp2Approx((rowMax[h] - newMax) * scaleLog2);
      rowMax[h] = newMax;
      const float scaledMax = newMax * scaleLog2;
      float sum = 0.0f;
#pragma unroll
      for (int c = 0; c < BN / 8; ++c)
#pragma unroll
        for (int e = 0; e < 2; ++e) {
          float &score = s[4 * c + 2 * h + e];
          score = exp2Approx(fmaf(score, scaleLog2, -scaledMax));
          sum += score;
        }
      rowSum[h] = rowSum[h] * alpha[h] + sum;
    }
  };
  auto softmaxTile = [&](int j, float (&alpha)[2]) {
    if (j * BN + BN > tile.maskedFrom)
      softmax(j, alpha, true);
    else
      softmax(j, alpha, false);
  };
  auto packProbabilities = [&] {
#pragma unroll
    for (int kk = 0; kk < BN / 16; ++kk)
#pragma unroll
      for (int r = 0; r < 4; ++r)
        p[kk][r] = packPair<T>(s[8 * kk + 2 * r], s[8 * kk + 2 * r + 1]);
  };
  auto rescale = [&](const float (&alpha)[2]) {
#pragma unroll
    for (int i = 0; i < D / 2; ++i)
      o[i] *= alpha[(i / 2) % 2];
  };
  auto release = [&](unsigned barrier) {
    if (releaser)
      mbarrierArrive(barrier);
  };

  if (tile.kvTiles > 0) {
    mbarrierWait(smem.qFull(), 0);
    float alpha[2];
    startScores(0);
    wgmmaWaitGroup<0>();
    wgmmaFenceOperands(s);
    release(smem.kEmpty(0));
    softmaxTile(0, alpha);
    packProbabilities();
    for (int j = 1; j < tile.kvTiles; ++j) {
      startScores(j);
      startValues(j - 1);
      wgmmaWaitGroup<1>(); // S(j)
      wgmmaFenceOperands(s);
      release(smem.kEmpty(j % kStages));
      softmaxTile(j, alpha);
      wgmmaWaitGroup<0>(); // P(j-1) V(j-1)
      wgmmaFenceOperands(o);
#pragma unroll
      for (int kk = 0; kk < BN / 16; ++kk)
        holdOperands(p[kk]);
      release(smem.vEmpty((j - 1) % kStages));
      rescale(alpha);
      packProbabilities();
    }
    startValues(tile.kvTiles - 1);
    wgmmaWaitGroup<0>();
    wgmmaFenceOperands(o);
    release(smem.vEmpty((tile.kvTiles - 1) % kStages));
  }

#pragma unroll
  for (int h = 0; h < 2; ++h) {
    const int row = warpRow + g + 8 * h;
    const float total = quadSum(rowSum[h]); // every lane shuffles, then rows past the end
    if (row >= tile.rows)                   // store nothing
      continue;
    const float inverse = total > 0.0f ? 1.0f / total : 0.0f;
    T *outRow = out + (long long)(tile.firstRow + tile.m0 + row) * (kHeads * D) + head * D + 2 * t;
#pragma unroll
    for (int nd = 0; nd < D / 8; ++nd)
      *reinterpret_cast<unsigned *>(outRow + nd * 8) =
          packPair<T>(o[4 * nd + 2 * h] * inverse, o[4 * nd + 2 * h + 1] * inverse);
  }
}

} // namespace loom::sm90

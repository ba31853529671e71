// loom/attention_prefill.cuh: graph.paged_attention for a ragged batch of query rows
// (prefill, chunked prefill, decode rows mixed in), FlashAttention-2 style on mma.sync m16n8k16.
//
// Wrapper contract (Config = AttentionPrefillConfig<HEAD_DIM, BM, BN, WARPS>; T = bf16 or f16;
// HEADS / KV_HEADS / BLOCK_SIZE / CAUSAL from the op's attributes and the kv_cache type):
//   extern "C" __global__ __launch_bounds__(Config::kThreads, 1)
//   void paged_attention_4(const bf16 *q, int qRowStride, const bf16 *kCache,
//                          const bf16 *vCache, bf16 *out, const int *seqStarts,
//                          const int *contextLens, const int *blockTables, int seqs,
//                          int blocksPerSeq, int layer, int cacheBlocks, float scale) {
//     loom::attentionPrefill<Config, bf16, HEADS, KV_HEADS, BLOCK_SIZE, CAUSAL>(q, qRowStride,
//         kCache, vCache, out, seqStarts, contextLens, blockTables, seqs, blocksPerSeq, layer,
//         cacheBlocks, scale);
//   }
//   block = (Config::kThreads, 1, 1)
//   grid  = (HEADS, ceil(tokens / BM) + seqs, 1)   (a bound on the query tiles of the batch;
//           CTAs past the last tile exit, so the grid depends on the dims only)
//   dynamic shared memory = Config::kSharedBytes ((BM + 2 BN) * HEAD_DIM * 2; 64 KB for
//           128/64/128, above 48 KB the launcher raises the limit).
// Arguments: q rows are tokens, head h at q + row * qRowStride + h * HEAD_DIM (qRowStride =
// HEADS * HEAD_DIM, or the packed QKV row width when Q is read in place); out is contiguous
// [tokens, HEADS * HEAD_DIM]; seqStarts [seqs + 1], contextLens [seqs], blockTables
// [seqs, blocksPerSeq] i32; kCache/vCache are the whole pools, `layer` and `cacheBlocks`
// (blocks per layer) locate the layer. Sequence b's n_b = seqStarts[b+1] - seqStarts[b] queries
// are its last n_b context positions; causal query i sees positions <= contextLens[b] - n_b + i.
// Pointers 16-byte aligned, qRowStride a multiple of 8.
//
// How it works: blockIdx.y names a query tile; a warp-wide scan over seqStarts finds its sequence
// (a sequence's tiles are numbered from its last, most expensive one, so long tiles start first).
// The CTA copies its BM x HEAD_DIM Q tile with cp.async, then walks the KV tiles of BN context
// positions the causal mask leaves: K/V rows are gathered through the block table straight into
// swizzled shared tiles (positions past the visible end are zero-filled, never read). Each warp
// owns BM / WARPS query rows: S = Q K^T on mma.sync (Q fragments stay in registers when a warp has
// one m16 tile, else come from shared memory), the mask on tiles that cross the diagonal or the
// context end, an online softmax in f32 with exp2 (running max and sum per row), then P is
// repacked from the S accumulators as A fragments and O += P V with V via ldmatrix.trans.
// V(j) is fetched while S(j) is computed and K(j+1) while P V(j) is, one buffer each.
#pragma once

#include "loom/async_copy.cuh"
#include "loom/attention_common.cuh"
#include "loom/attention_prefill_tiles.cuh"
#include "loom/mma.cuh"

namespace loom {

template <int HEAD_DIM, int BM_, int BN_, int WARPS> struct AttentionPrefillConfig {
  static constexpr int kHeadDim = HEAD_DIM, BM = BM_, BN = BN_, kWarps = WARPS;
  static constexpr int kThreads = kWarps * 32;
  static constexpr int kMmaRows = BM / (16 * kWarps); ///< m16 tiles per warp
  static constexpr int kChunksPerRow = kHeadDim / 8;  ///< 16-byte chunks of one head row
  static constexpr bool kQInRegisters = kMmaRows == 1;
  static_assert(kHeadDim == 64 || kHeadDim == 128, "head dims 64 and 128");
  static_assert(BM % (16 * kWarps) == 0, "each warp owns whole m16 tiles");
  static_assert(BN % 16 == 0, "KV tiles are whole k16 steps");
  static_assert((BM * kChunksPerRow) % kThreads == 0 && (BN * kChunksPerRow) % kThreads == 0,
                "every thread copies the same number of chunks");
  static constexpr int kTileQBytes = BM * kHeadDim * 2, kTileKvBytes = BN * kHeadDim * 2;
  static constexpr int kSharedBytes = kTileQBytes + 2 * kTileKvBytes;
};

/// The CTA body; see the file comment for the launch contract.
template <class Config, typename T, int kHeads, int kKvHeads, int kBlockSize, bool kCausal>
__device__ __forceinline__ void
attentionPrefill(const T *__restrict__ q, int qRowStride, const T *__restrict__ kCache,
                 const T *__restrict__ vCache, T *__restrict__ out, const int *seqStarts,
                 const int *contextLens, const int *blockTables, int seqs, int blocksPerSeq,
                 int layer, int cacheBlocks, float scale) {
  using namespace prefill_detail;
  constexpr int D = Config::kHeadDim, BM = Config::BM, BN = Config::BN;
  constexpr int MI = Config::kMmaRows, kChunks = Config::kChunksPerRow;
  constexpr int kThreads = Config::kThreads;
  using Layout = PagedLayout<kKvHeads, D, kBlockSize>;
  static_assert(kHeads % kKvHeads == 0, "query heads are whole groups per KV head");

  const TileSlot slot = findTile<BM>(seqStarts, seqs, int(blockIdx.y));
  if (!slot.found)
    return;
  const int head = int(blockIdx.x), kvHead = head / (kHeads / kKvHeads);
  const TileGeometry tile = tileGeometry<BM, BN, kCausal>(
      seqStarts, Layout::clampContext(contextLens[slot.seq], blocksPerSeq), slot);

  extern __shared__ __align__(128) unsigned char attentionShared[];
  const unsigned sharedQ = sharedAddress(attentionShared);
  const unsigned sharedK = sharedQ + Config::kTileQBytes;
  const unsigned sharedV = sharedK + Config::kTileKvBytes;
  const int thread = int(threadIdx.x), lane = thread % 32, warp = thread / 32;

  const long long layerBase = Layout::layerOffset(layer, cacheBlocks);
  const int *blockTable = blockTables + (long long)slot.seq * blocksPerSeq;
  auto loadKv = [&](unsigned sharedTile, const T *pool, int n0) {
#pragma unroll
    for (int i = 0; i < BN * kChunks / kThreads; ++i) {
      const int id = i * kThreads + thread, row = id / kChunks, chunk = id % kChunks;
      const int position = n0 + row;
      const bool valid = position < tile.visibleEnd;
      const T *source = pool;
      if (valid) {
        const int block = Layout::clampBlock(blockTable[position / kBlockSize], cacheBlocks);
        source = pool + layerBase + Layout::rowOffset(block, position % kBlockSize, kvHead) +
                 chunk * 8;
      }
      copyAsync16(sharedTile + swizzledChunk<kChunks>(row, chunk), source, valid);
    }
    copyAsyncCommit();
  };

#pragma unroll
  for (int i = 0; i < BM * kChunks / kThreads; ++i) {
    const int id = i * kThreads + thread, row = id / kChunks, chunk = id % kChunks;
    const bool valid = row < tile.rows;
    const T *source =
        valid ? q + (long long)(tile.firstRow + tile.m0 + row) * qRowStride + head * D + chunk * 8 : q;
    copyAsync16(sharedQ + swizzledChunk<kChunks>(row, chunk), source, valid);
  }
  if (tile.kvTiles > 0)
    loadKv(sharedK, kCache, 0);
  else
    copyAsyncCommit();

  const int g = lane / 4, t = lane % 4;
  const int warpRow = warp * MI * 16;
  // ldmatrix row addresses: A (Q) rows lane % 16, chunk + lane / 16; B (K) rows lane % 8 +
  // 8 * (lane / 16), chunk + (lane / 8) % 2; B^T (V) rows lane % 8 + 8 * ((lane / 8) % 2),
  // chunk + lane / 16.
  auto qFragment = [&](unsigned (&a)[4], unsigned tileQ, int mi, int kk) {
    const int row = warpRow + mi * 16 + lane % 16;
    loadMatrixX4(a, tileQ + swizzledChunk<kChunks>(row, 2 * kk + lane / 16));
  };
  copyAsyncWait<0>();
  __syncthreads();
  unsigned qRegisters[Config::kQInRegisters ? D / 16 : 1][4];
  if constexpr (Config::kQInRegisters) {
#pragma unroll
    for (int kk = 0; kk < D / 16; ++kk)
      qFragment(qRegisters[kk], sharedQ, 0, kk);
  }

  const float scaleLog2 = scale * kLog2e;
  float rowMax[MI][2], rowSum[MI][2];
  float o[MI][D / 8][4] = {};
#pragma unroll
  for (int mi = 0; mi < MI; ++mi)
    for (int h = 0; h < 2; ++h)
      rowMax[mi][h] = kSoftmaxStartMax, rowSum[mi][h] = 0.0f;

  for (int j = 0; j < tile.kvTiles; ++j) {
    const int n0 = j * BN;
    if (j > 0) {
      copyAsyncWait<0>(); // K(j)
      __syncthreads();
    }
    loadKv(sharedV, vCache, n0);

    const unsigned tileQ = opaque(sharedQ), tileK = opaque(sharedK), tileV = opaque(sharedV);
    float s[MI][BN / 8][4] = {};
#pragma unroll
    for (int kk = 0; kk < D / 16; ++kk) {
      unsigned a[MI][4];
#pragma unroll
      for (int mi = 0; mi < MI; ++mi) {
        if constexpr (Config::kQInRegisters) {
#pragma unroll
          for (int r = 0; r < 4; ++r)
            a[mi][r] = qRegisters[kk][r];
        } else {
          qFragment(a[mi], tileQ, mi, kk);
        }
      }
#pragma unroll
      for (int np = 0; np < BN / 16; ++np) {
        unsigned b[4];
        const int row = np * 16 + lane % 8 + 8 * (lane / 16);
        loadMatrixX4(b, tileK + swizzledChunk<kChunks>(row, 2 * kk + (lane / 8) % 2));
        const unsigned b0[2] = {b[0], b[1]}, b1[2] = {b[2], b[3]};
#pragma unroll
        for (int mi = 0; mi < MI; ++mi) {
          mmaM16N8K16<T>(s[mi][2 * np], a[mi], b0);
          mmaM16N8K16<T>(s[mi][2 * np + 1], a[mi], b1);
        }
      }
    }

    const bool masked = n0 + BN > tile.maskedFrom;
#pragma unroll
    for (int mi = 0; mi < MI; ++mi) {
#pragma unroll
      for (int h = 0; h < 2; ++h) {
        const int position = tile.firstPosition + warpRow + mi * 16 + g + 8 * h;
        const int end = kCausal ? min(position + 1, tile.context) : tile.context;
        float tileMax = kSoftmaxStartMax;
#pragma unroll
        for (int nj = 0; nj < BN / 8; ++nj)
#pragma unroll
          for (int e = 0; e < 2; ++e) {
            float &score = s[mi][nj][2 * h + e];
            score *= scaleLog2;
            if (masked && n0 + nj * 8 + 2 * t + e >= end)
              score = -__int_as_float(0x7f800000); // -inf
            tileMax = fmaxf(tileMax, score);
          }
        const float newMax = fmaxf(rowMax[mi][h], quadMax(tileMax));
        const float alpha = exp2f(rowMax[mi][h] - newMax);
        rowMax[mi][h] = newMax;
        float sum = 0.0f;
#pragma unroll
        for (int nj = 0; nj < BN / 8; ++nj)
#pragma unroll
          for (int e = 0; e < 2; ++e) {
            float &score = s[mi][nj][2 * h + e];
            score = exp2f(score - newMax);
            sum += score;
          }
        rowSum[mi][h] = rowSum[mi][h] * alpha + sum;
#pragma unroll
        for (int nd = 0; nd < D / 8; ++nd)
          o[mi][nd][2 * h] *= alpha, o[mi][nd][2 * h + 1] *= alpha;
      }
    }

    copyAsyncWait<0>(); // V(j)
    __syncthreads();    // and every warp is done with K(j)
    if (j + 1 < tile.kvTiles)
      loadKv(sharedK, kCache, n0 + BN);

#pragma unroll
    for (int kk = 0; kk < BN / 16; ++kk) {
      unsigned p[MI][4];
#pragma unroll
      for (int mi = 0; mi < MI; ++mi) {
        p[mi][0] = packPair<T>(s[mi][2 * kk][0], s[mi][2 * kk][1]);
        p[mi][1] = packPair<T>(s[mi][2 * kk][2], s[mi][2 * kk][3]);
        p[mi][2] = packPair<T>(s[mi][2 * kk + 1][0], s[mi][2 * kk + 1][1]);
        p[mi][3] = packPair<T>(s[mi][2 * kk + 1][2], s[mi][2 * kk + 1][3]);
      }
#pragma unroll
      for (int dp = 0; dp < D / 16; ++dp) {
        unsigned b[4];
        const int row = kk * 16 + lane % 8 + 8 * ((lane / 8) % 2);
        loadMatrixX4Trans(b, tileV + swizzledChunk<kChunks>(row, 2 * dp + lane / 16));
        const unsigned b0[2] = {b[0], b[1]}, b1[2] = {b[2], b[3]};
#pragma unroll
        for (int mi = 0; mi < MI; ++mi) {
          mmaM16N8K16<T>(o[mi][2 * dp], p[mi], b0);
          mmaM16N8K16<T>(o[mi][2 * dp + 1], p[mi], b1);
        }
      }
    }
  }

#pragma unroll
  for (int mi = 0; mi < MI; ++mi)
#pragma unroll
    for (int h = 0; h < 2; ++h) {
      const int row = warpRow + mi * 16 + g + 8 * h;
      const float total = quadSum(rowSum[mi][h]); // every lane shuffles, then rows past the end
      if (row >= tile.rows)                       // store nothing
        continue;
      const float inverse = total > 0.0f ? 1.0f / total : 0.0f;
      T *outRow = out + (long long)(tile.firstRow + tile.m0 + row) * (kHeads * D) + head * D + 2 * t;
#pragma unroll
      for (int nd = 0; nd < D / 8; ++nd)
        *reinterpret_cast<unsigned *>(outRow + nd * 8) =
            packPair<T>(o[mi][nd][2 * h] * inverse, o[mi][nd][2 * h + 1] * inverse);
    }
}

} // namespace loom

// loom/attention_decode.cuh: graph.paged_attention for decode steps (one query per sequence),
// split along the context (flash-decoding) and bound by streaming the paged K/V once.
//
// Wrapper contract (one kernel per op; T = bf16 or f16; Config =
// AttentionDecodeConfig<HEADS, KV_HEADS, HEAD_DIM, BLOCK_SIZE, BLOCKS_PER_SPLIT>):
//   extern "C" __global__ __launch_bounds__(Config::kThreads, 1)
//   void paged_decode_4(const bf16 *q, int qRowStride, const bf16 *kCache, const bf16 *vCache,
//                       const int *contextLens, const int *blockTables, int blocksPerSeq,
//                       int layer, int cacheBlocks, float scale, float *partialOut,
//                       float *partialStats, int *splitCounters, bf16 *out) {
//     loom::attentionDecodeSplit<Config, bf16>(q, qRowStride, kCache, vCache, contextLens,
//         blockTables, blocksPerSeq, layer, cacheBlocks, scale, partialOut, partialStats,
//         splitCounters, out);
//   }
//   block = (Config::kThreads, 1, 1)
//   grid  = (splits, KV_HEADS, seqs), splits >= ceil(blocks_per_seq / BLOCKS_PER_SPLIT): each
//           split takes ceil(blocks_per_seq / splits) blocks, so a launch picks smaller splits
//           (more CTAs per sequence, for small batches) with a wider grid; no dynamic shared
//           memory (static: Config::kStaticSharedBytes).
//   Workspace (f32, alive during the launch only): partialOut seqs * HEADS * splits * HEAD_DIM
//   and partialStats seqs * HEADS * splits * 2 floats, for the launch's own splits; a buffer
//   that serves several grids is sized for the widest (the compiler's maxPartialsPerHead).
//   splitCounters: seqs * KV_HEADS ints that are zero when the launch starts, and zero again
//   when it ends (the kernel resets what it counts), so one zeroed buffer serves every launch
//   and every replay of a CUDA graph; no other buffer may share its bytes.
// Arguments: query row b (tokens == seqs, seqStarts[b] == b) of head h at q + b * qRowStride +
// h * HEAD_DIM; out [seqs, HEADS * HEAD_DIM]; pools, block tables and context lengths as in
// loom/attention_prefill.cuh (the query sits at the last context position, so it sees all
// contextLens[b] tokens). Grid and shared memory depend only on the dims, so the launch is
// capturable in a CUDA graph: CTAs whose split starts past the sequence's context exit. A
// sequence whose context fits one split (a short decode) needs no merge: its split-0 CTA
// normalizes and writes `out` itself, with no partials and no counter. Pointers 16-byte aligned.
//
// How it works: a CTA owns one (sequence, KV head, split of the context's blocks) and all
// HEADS / KV_HEADS query heads of that KV head, so each K/V row is read from memory once. It
// reads the context length and its split's block-table entries in one memory round (the entries
// do not depend on the length; those past it are never used). A token
// row of HEAD_DIM elements is spread over HEAD_DIM / 8 lanes (16-byte non-caching loads), so a
// warp covers 32 / (HEAD_DIM / 8) tokens per step and keeps kUnroll steps of K and V in flight.
// Scores are lane-partial dots reduced with xor shuffles; each lane keeps an online softmax
// (running max, sum, f32 output slice) per head in the exp2 domain. Groups of more than eight
// heads are split over warps (kHeadGroups), the remaining warps split the tokens; the token
// streams merge through shuffles and shared memory into one (max, sum, unnormalized output) per
// head and split. Each CTA of a sequence of several splits stores that partial and counts itself
// on the (sequence, KV head) counter with an acquire-release atomic; the CTA that arrives last
// (the threadfence reduction pattern) resets the counter and merges the splits in split order,
// the partials of up to 8 splits loaded in one round: it rescales them by exp2(max_s - max) and
// normalizes — the arithmetic of the former separate combine kernel, without its launch.
#pragma once

#include "loom/async_copy.cuh"
#include "loom/attention_common.cuh"

namespace loom {

template <int HEADS, int KV_HEADS, int HEAD_DIM, int BLOCK_SIZE, int BLOCKS_PER_SPLIT>
struct AttentionDecodeConfig {
  static constexpr int kHeads = HEADS, kKvHeads = KV_HEADS, kHeadDim = HEAD_DIM;
  static constexpr int kBlockSize = BLOCK_SIZE, kBlocksPerSplit = BLOCKS_PER_SPLIT;
  static constexpr int kWarps = 4, kThreads = kWarps * 32, kUnroll = 4;
  static constexpr int kGroup = kHeads / kKvHeads;
  static constexpr int kHeadsPerWarp = kGroup < 8 ? kGroup : 8;
  static constexpr int kHeadGroups = kGroup / kHeadsPerWarp;
  static constexpr int kTokenWarps = kWarps / kHeadGroups;
  static constexpr int kLanesPerToken = kHeadDim / 8;
  static constexpr int kTokensPerStep = 32 / kLanesPerToken;
  static_assert(kHeads % kKvHeads == 0, "query heads are whole groups per KV head");
  static_assert(kGroup % kHeadsPerWarp == 0 && kWarps % kHeadGroups == 0,
                "a group of up to 32 query heads, a multiple of 8 when above 8");
  static_assert(kHeadDim == 64 || kHeadDim == 128, "head dims 64 and 128");
  static constexpr int kStaticSharedBytes =
      4 * (kBlocksPerSplit + kTokenWarps * kGroup * (kHeadDim + 2) + 1); // + the merge flag
};

/// Element `d` of one head's output from its first `used` split partials (at `first`, in
/// split order): sum_s exp2(m_s - m) O_s / sum_s exp2(m_s - m) l_s, read through L2 (other CTAs
/// wrote them during this launch) in rounds of kMergeRound partials whose loads are all in
/// flight together (one L2 round trip per round instead of two per partial).
template <typename T, int D>
__device__ __forceinline__ T mergeSplits(const float *partialOut, const float *partialStats,
                                         long long first, int used, int d) {
  constexpr int kMergeRound = 8;
  float merged = kSoftmaxStartMax, sum = 0.0f, value = 0.0f;
  for (int round = 0; round < used; round += kMergeRound) {
    float maxes[kMergeRound], sums[kMergeRound], values[kMergeRound];
#pragma unroll
    for (int r = 0; r < kMergeRound; ++r) {
      const bool stored = round + r < used;
      const long long index = first + round + r;
      maxes[r] = stored ? __ldcg(partialStats + 2 * index) : kSoftmaxStartMax;
      sums[r] = stored ? __ldcg(partialStats + 2 * index + 1) : 0.0f;
      values[r] = stored ? __ldcg(partialOut + index * D + d) : 0.0f;
    }
    float roundMax = merged;
#pragma unroll
    for (int r = 0; r < kMergeRound; ++r)
      roundMax = fmaxf(roundMax, maxes[r]);
    const float rescale = exp2f(merged - roundMax);
    merged = roundMax, sum *= rescale, value *= rescale;
#pragma unroll
    for (int r = 0; r < kMergeRound; ++r) {
      const float weight = exp2f(maxes[r] - merged);
      sum += sums[r] * weight;
      value += values[r] * weight;
    }
  }
  return fromFloat<T>(sum > 0.0f ? value / sum : 0.0f);
}

/// The split kernel's CTA body; see the file comment for the launch contract.
template <class Config, typename T>
__device__ __forceinline__ void
attentionDecodeSplit(const T *__restrict__ q, int qRowStride, const T *__restrict__ kCache,
                     const T *__restrict__ vCache, const int *contextLens, const int *blockTables,
                     int blocksPerSeq, int layer, int cacheBlocks, float scale,
                     float *__restrict__ partialOut, float *__restrict__ partialStats,
                     int *splitCounters, T *__restrict__ out) {
  constexpr int D = Config::kHeadDim, G = Config::kGroup, HW = Config::kHeadsPerWarp;
  constexpr int kLanes = Config::kLanesPerToken, kSteps = Config::kTokensPerStep;
  constexpr int U = Config::kUnroll, kTokenWarps = Config::kTokenWarps;
  constexpr int kBlockSize = Config::kBlockSize;
  using Layout = PagedLayout<Config::kKvHeads, D, kBlockSize>;
  __shared__ int blocks[Config::kBlocksPerSplit];
  __shared__ float mergeOut[kTokenWarps][G][D];
  __shared__ float mergeStats[kTokenWarps][G][2];

  const int split = int(blockIdx.x), kvHead = int(blockIdx.y), seq = int(blockIdx.z);
  const int thread = int(threadIdx.x), lane = thread % 32, warp = thread / 32;
  // The launch's split: the grid's splits cover the block table (at most BLOCKS_PER_SPLIT blocks
  // each; a narrower grid than the contract's sees only the blocks it covers).
  const int splitBlocks =
      min(Config::kBlocksPerSplit, (blocksPerSeq + int(gridDim.x) - 1) / int(gridDim.x));
  const int splitTokens = splitBlocks * kBlockSize;
  // The split's block-table entries and the context length in one memory round.
  const int *tableRow = blockTables + (long long)seq * blocksPerSeq;
  const int firstBlock = split * splitBlocks;
  const int firstEntry =
      thread < splitBlocks && firstBlock + thread < blocksPerSeq ? tableRow[firstBlock + thread] : 0;
  const int context = Layout::clampContext(contextLens[seq], blocksPerSeq);
  const int first = split * splitTokens;
  // The whole context in split 0: this CTA writes the normalized output (nothing to merge).
  const bool whole = context <= splitTokens;
  if (first >= context) {
    if (whole && split == 0) // an empty context attends to nothing: zeros, as a merge writes
      for (int element = int(threadIdx.x); element < G * D; element += Config::kThreads)
        out[((long long)seq * Config::kHeads + kvHead * G) * D + element] = fromFloat<T>(0.0f);
    return;
  }
  const int end = min(context, first + splitTokens);
  if (thread < splitBlocks)
    blocks[thread] = Layout::clampBlock(firstEntry, cacheBlocks);
  for (int i = thread + Config::kThreads; i < splitBlocks; i += Config::kThreads)
    blocks[i] = firstBlock + i < blocksPerSeq
                    ? Layout::clampBlock(tableRow[firstBlock + i], cacheBlocks)
                    : 0;

  const int headGroup = warp / kTokenWarps, tokenWarp = warp % kTokenWarps;
  const int sub = lane / kLanes, part = lane % kLanes; // token slot, 8-element slice
  const int firstHead = kvHead * G + headGroup * HW;
  float query[HW][8];
  const float scaleLog2 = scale * kLog2e;
#pragma unroll
  for (int i = 0; i < HW; ++i) {
    const uint4 raw =
        loadCached16(q + (long long)seq * qRowStride + (firstHead + i) * D + part * 8, true);
    const unsigned words[4] = {raw.x, raw.y, raw.z, raw.w};
#pragma unroll
    for (int w = 0; w < 4; ++w) {
      query[i][2 * w] = toFloat(T{(unsigned short)(words[w] & 0xffffu)}) * scaleLog2;
      query[i][2 * w + 1] = toFloat(T{(unsigned short)(words[w] >> 16)}) * scaleLog2;
    }
  }
  float runningMax[HW], runningSum[HW], acc[HW][8];
#pragma unroll
  for (int i = 0; i < HW; ++i) {
    runningMax[i] = kSoftmaxStartMax, runningSum[i] = 0.0f;
#pragma unroll
    for (int e = 0; e < 8; ++e)
      acc[i][e] = 0.0f;
  }
  __syncthreads(); // blocks[] is written

  const long long layerBase = Layout::layerOffset(layer, cacheBlocks);
  constexpr int kWarpSpan = kSteps * U; // tokens per warp per iteration
  constexpr int kStride = kTokenWarps * kWarpSpan;
  // K and V rows of the U token steps at `base` (none past the split's end).
  auto loadRows = [&](int base, uint4 (&keys)[U], uint4 (&values)[U]) {
#pragma unroll
    for (int u = 0; u < U; ++u) {
      const int token = base + u * kSteps + sub;
      const bool inSplit = token < end;
      const int local = token - first;
      const long long offset =
          layerBase +
          Layout::rowOffset(blocks[inSplit ? local / kBlockSize : 0], local % kBlockSize, kvHead) +
          part * 8;
      keys[u] = loadStreaming16(kCache + offset, inSplit);
      values[u] = loadStreaming16(vCache + offset, inSplit);
    }
  };
  // The next iteration's rows are in flight while this one's scores and softmax run, so an
  // iteration costs about one memory latency instead of a latency plus its arithmetic (a decode
  // split of 256 tokens is 4 iterations of a CTA).
  uint4 keys[U], values[U];
  loadRows(first + tokenWarp * kWarpSpan, keys, values);
  for (int base = first + tokenWarp * kWarpSpan; base < end; base += kStride) {
    uint4 nextKeys[U], nextValues[U];
    loadRows(base + kStride, nextKeys, nextValues);
    bool valid[U];
#pragma unroll
    for (int u = 0; u < U; ++u)
      valid[u] = base + u * kSteps + sub < end;
    float scores[U][HW];
#pragma unroll
    for (int u = 0; u < U; ++u) {
      float key[8];
      const unsigned words[4] = {keys[u].x, keys[u].y, keys[u].z, keys[u].w};
#pragma unroll
      for (int w = 0; w < 4; ++w) {
        key[2 * w] = toFloat(T{(unsigned short)(words[w] & 0xffffu)});
        key[2 * w + 1] = toFloat(T{(unsigned short)(words[w] >> 16)});
      }
#pragma unroll
      for (int i = 0; i < HW; ++i) {
        float dot = 0.0f;
#pragma unroll
        for (int e = 0; e < 8; ++e)
          dot = fmaf(query[i][e], key[e], dot);
#pragma unroll
        for (int offset = kLanes / 2; offset > 0; offset >>= 1)
          dot += __shfl_xor_sync(0xffffffffu, dot, offset);
        scores[u][i] = valid[u] ? dot : -__int_as_float(0x7f800000);
      }
    }
#pragma unroll
    for (int i = 0; i < HW; ++i) {
      float newMax = runningMax[i];
#pragma unroll
      for (int u = 0; u < U; ++u)
        newMax = fmaxf(newMax, scores[u][i]);
      const float alpha = exp2f(runningMax[i] - newMax);
      runningMax[i] = newMax;
      runningSum[i] *= alpha;
#pragma unroll
      for (int e = 0; e < 8; ++e)
        acc[i][e] *= alpha;
#pragma unroll
      for (int u = 0; u < U; ++u) {
        const float p = exp2f(scores[u][i] - newMax);
        runningSum[i] += p;
        const unsigned words[4] = {values[u].x, values[u].y, values[u].z, values[u].w};
#pragma unroll
        for (int w = 0; w < 4; ++w) {
          acc[i][2 * w] = fmaf(p, toFloat(T{(unsigned short)(words[w] & 0xffffu)}), acc[i][2 * w]);
          acc[i][2 * w + 1] = fmaf(p, toFloat(T{(unsigned short)(words[w] >> 16)}),
                                   acc[i][2 * w + 1]);
        }
      }
    }
#pragma unroll
    for (int u = 0; u < U; ++u)
      keys[u] = nextKeys[u], values[u] = nextValues[u];
  }

  // Merge the warp's token slots (lanes `part` apart by multiples of kLanes).
#pragma unroll
  for (int offset = kLanes; offset < 32; offset <<= 1)
#pragma unroll
    for (int i = 0; i < HW; ++i) {
      const float otherMax = __shfl_xor_sync(0xffffffffu, runningMax[i], offset);
      const float otherSum = __shfl_xor_sync(0xffffffffu, runningSum[i], offset);
      const float merged = fmaxf(runningMax[i], otherMax);
      const float mine = exp2f(runningMax[i] - merged), theirs = exp2f(otherMax - merged);
      runningMax[i] = merged;
      runningSum[i] = runningSum[i] * mine + otherSum * theirs;
#pragma unroll
      for (int e = 0; e < 8; ++e)
        acc[i][e] = acc[i][e] * mine + __shfl_xor_sync(0xffffffffu, acc[i][e], offset) * theirs;
    }
  if (sub == 0) {
#pragma unroll
    for (int i = 0; i < HW; ++i) {
      const int head = headGroup * HW + i;
#pragma unroll
      for (int e = 0; e < 8; ++e)
        mergeOut[tokenWarp][head][part * 8 + e] = acc[i][e];
      if (part == 0)
        mergeStats[tokenWarp][head][0] = runningMax[i], mergeStats[tokenWarp][head][1] =
                                                            runningSum[i];
    }
  }
  __syncthreads();

  // One (max, sum, unnormalized output) per head of the group for this split.
  const int splits = int(gridDim.x);
  const long long groupRow = (long long)seq * Config::kHeads + kvHead * G; // out row of head 0
  for (int element = thread; element < G * D; element += Config::kThreads) {
    const int head = element / D, d = element % D;
    float merged = kSoftmaxStartMax;
#pragma unroll
    for (int w = 0; w < kTokenWarps; ++w)
      merged = fmaxf(merged, mergeStats[w][head][0]);
    float sum = 0.0f, value = 0.0f;
#pragma unroll
    for (int w = 0; w < kTokenWarps; ++w) {
      const float weight = exp2f(mergeStats[w][head][0] - merged);
      sum += mergeStats[w][head][1] * weight;
      value += mergeOut[w][head][d] * weight;
    }
    if (whole) {
      out[(groupRow + head) * D + d] = fromFloat<T>(sum > 0.0f ? value / sum : 0.0f);
      continue;
    }
    const long long index = (groupRow + head) * splits + split;
    partialOut[index * D + d] = value;
    if (d == 0)
      partialStats[2 * index] = merged, partialStats[2 * index + 1] = sum;
  }
  if (whole)
    return;

  // The last of the sequence's `used` split CTAs to arrive merges them (and resets the counter:
  // every other CTA has counted by then, and the next launch starts after this one ends).
  // One thread counts for the CTA with an acquire-release atomic, as a grid barrier does: the
  // CTA barrier orders every thread's partials before its release, and its acquire orders the
  // other CTAs' partials (released by their counts) before the barrier and the merge's reads.
  __shared__ bool mergesSplits;
  const int used = (context + splitTokens - 1) / splitTokens;
  __syncthreads();
  if (thread == 0) {
    int *counter = splitCounters + (long long)seq * Config::kKvHeads + kvHead;
    int arrived;
    asm volatile("atom.acq_rel.gpu.global.add.s32 %0, [%1], 1;"
                 : "=r"(arrived)
                 : "l"(counter)
                 : "memory");
    mergesSplits = arrived == used - 1;
    if (mergesSplits)
      *counter = 0;
  }
  __syncthreads();
  if (!mergesSplits)
    return;
  for (int element = thread; element < G * D; element += Config::kThreads) {
    const int head = element / D, d = element % D;
    out[(groupRow + head) * D + d] =
        mergeSplits<T, D>(partialOut, partialStats, (groupRow + head) * splits, used, d);
  }
}

} // namespace loom

// loom/attention_simt.cuh: the general graph.paged_attention fallback on CUDA cores, for head
// dims and element types the tensor-core kernels cannot take (any head_dim <= 256; bf16, f16 or
// f32). One kernel serves every step: prefill over the ragged batch (causal or not), chunked
// prefill and decode rows, GQA, through the same block tables and paged KV layout.
//
// Wrapper contract (T = bf16, f16 or float; the arguments are those of loom/attention_prefill.cuh):
//   extern "C" __global__ __launch_bounds__(32 * WARPS)
//   void paged_attention_4(const float *q, int qRowStride, const float *kCache,
//                          const float *vCache, float *out, const int *seqStarts,
//                          const int *contextLens, const int *blockTables, int seqs,
//                          int blocksPerSeq, int layer, int cacheBlocks, float scale) {
//     loom::attentionSimt<float, HEADS, KV_HEADS, HEAD_DIM, BLOCK_SIZE, CAUSAL, WARPS>(q,
//         qRowStride, kCache, vCache, out, seqStarts, contextLens, blockTables, seqs,
//         blocksPerSeq, layer, cacheBlocks, scale);
//   }
//   block = (32 * WARPS, 1, 1), grid = (tokens, HEADS, 1), no dynamic shared memory.
// Arguments as in loom/attention_prefill.cuh: q head h of row t at q + t * qRowStride + h *
// HEAD_DIM (any stride, no alignment beyond T's); out contiguous [tokens, HEADS * HEAD_DIM]. Rows
// outside [seqStarts[0], seqStarts[seqs]) are not written. Block ids and context lengths are
// clamped into the pool and the block table (bad input: wrong numbers, never a fault).
//
// How it works: a CTA owns one query row of one head. It finds the row's sequence by binary
// search over seqStarts, scales the query into shared memory (scale * log2 e, so the softmax uses
// exp2) and splits the visible context into chunks of 32 positions, warp w taking chunks w,
// w + WARPS, ... Lane l scores position l of the chunk (a full dot product over the head), the
// warp takes the chunk's max and sum with shuffles and updates its running (max, sum) in f32
// (online softmax); then each lane accumulates the probability-weighted V rows of the chunk for
// its dims (d = lane, lane + 32, ...). The warps' partial (max, sum, output) are merged through
// shared memory at the end; a row that sees no position writes zeros.
#pragma once

#include "loom/attention_common.cuh"
#include "loom/reduce.cuh"

namespace loom {

namespace attention_simt_detail {

/// The sequence owning query row `row`: the last b < seqs with seqStarts[b] <= row, or -1 when
/// the row is outside [seqStarts[0], seqStarts[seqs]).
__device__ __forceinline__ int findSequence(const int *seqStarts, int seqs, int row) {
  if (seqs <= 0 || row < seqStarts[0] || row >= seqStarts[seqs])
    return -1;
  int low = 0, high = seqs - 1;
  while (low < high) {
    const int middle = (low + high + 1) / 2;
    if (seqStarts[middle] <= row)
      low = middle;
    else
      high = middle - 1;
  }
  return low;
}

} // namespace attention_simt_detail

/// The CTA body; see the file comment for the launch contract.
template <typename T, int kHeads, int kKvHeads, int kHeadDim, int kBlockSize, bool kCausal,
          int kWarps>
__device__ __forceinline__ void
attentionSimt(const T *__restrict__ q, int qRowStride, const T *__restrict__ kCache,
              const T *__restrict__ vCache, T *__restrict__ out, const int *seqStarts,
              const int *contextLens, const int *blockTables, int seqs, int blocksPerSeq,
              int layer, int cacheBlocks, float scale) {
  using namespace attention_simt_detail;
  static_assert(kHeadDim >= 1 && kHeadDim <= 256, "head dims 1 to 256");
  static_assert(kHeads % kKvHeads == 0, "query heads are whole groups per KV head");
  static_assert(kWarps >= 1 && kWarps <= 32, "1 to 32 warps");
  constexpr int kDimsPerLane = (kHeadDim + 31) / 32;
  using Layout = PagedLayout<kKvHeads, kHeadDim, kBlockSize>;
  __shared__ float query[kHeadDim];
  __shared__ float warpMaxima[kWarps], warpSums[kWarps];
  __shared__ float warpOutputs[kWarps][kHeadDim];

  const int row = int(blockIdx.x), head = int(blockIdx.y);
  const int kvHead = head / (kHeads / kKvHeads);
  const int sequence = findSequence(seqStarts, seqs, row);
  if (sequence < 0)
    return;
  const int queries = seqStarts[sequence + 1] - seqStarts[sequence];
  const int context = Layout::clampContext(contextLens[sequence], blocksPerSeq);
  int visible = context;
  if constexpr (kCausal) // query i sits at position context - queries + i
    visible = min(context, max(0, context - queries + (row - seqStarts[sequence]) + 1));

  const int tid = int(threadIdx.x), lane = tid % 32, warp = tid / 32;
  for (int d = tid; d < kHeadDim; d += 32 * kWarps)
    query[d] = toFloat(q[(long long)row * qRowStride + head * kHeadDim + d]) * scale * kLog2e;
  __syncthreads();

  const int *table = blockTables + (long long)sequence * blocksPerSeq;
  const long long layerBase = Layout::layerOffset(layer, cacheBlocks);
  float runningMax = kSoftmaxStartMax, runningSum = 0.0f, acc[kDimsPerLane];
#pragma unroll
  for (int t = 0; t < kDimsPerLane; ++t)
    acc[t] = 0.0f;

  for (int base = warp * 32; base < visible; base += 32 * kWarps) {
    const int position = base + lane;
    long long offset = 0;
    float score = -__int_as_float(0x7f800000); // -inf: lanes past the visible end
    if (position < visible) {
      const int block = Layout::clampBlock(table[position / kBlockSize], cacheBlocks);
      offset = layerBase + Layout::rowOffset(block, position % kBlockSize, kvHead);
      score = 0.0f;
#pragma unroll 8
      for (int d = 0; d < kHeadDim; ++d)
        score = fmaf(query[d], toFloat(kCache[offset + d]), score);
    }
    const float newMax = fmaxf(runningMax, warpMax(score));
    const float correction = exp2f(runningMax - newMax);
    const float probability = position < visible ? exp2f(score - newMax) : 0.0f;
    runningSum = runningSum * correction + warpSum(probability);
    runningMax = newMax;
#pragma unroll
    for (int t = 0; t < kDimsPerLane; ++t)
      acc[t] *= correction;
    const int positions = min(32, visible - base);
#pragma unroll 4
    for (int j = 0; j < positions; ++j) {
      const float p = __shfl_sync(0xffffffffu, probability, j);
      const long long rowOffset = __shfl_sync(0xffffffffu, offset, j);
#pragma unroll
      for (int t = 0; t < kDimsPerLane; ++t) {
        const int d = lane + 32 * t;
        if (d < kHeadDim)
          acc[t] = fmaf(p, toFloat(vCache[rowOffset + d]), acc[t]);
      }
    }
  }

  if (lane == 0) {
    warpMaxima[warp] = runningMax;
    warpSums[warp] = runningSum;
  }
#pragma unroll
  for (int t = 0; t < kDimsPerLane; ++t)
    if (lane + 32 * t < kHeadDim)
      warpOutputs[warp][lane + 32 * t] = acc[t];
  __syncthreads();

  float overallMax = kSoftmaxStartMax;
#pragma unroll
  for (int w = 0; w < kWarps; ++w)
    overallMax = fmaxf(overallMax, warpMaxima[w]);
  float total = 0.0f;
#pragma unroll
  for (int w = 0; w < kWarps; ++w)
    total += warpSums[w] * exp2f(warpMaxima[w] - overallMax);
  const float inverse = total > 0.0f ? __frcp_rn(total) : 0.0f;
  T *outRow = out + (long long)row * kHeads * kHeadDim + head * kHeadDim;
  for (int d = tid; d < kHeadDim; d += 32 * kWarps) {
    float value = 0.0f;
#pragma unroll
    for (int w = 0; w < kWarps; ++w)
      value += warpOutputs[w][d] * exp2f(warpMaxima[w] - overallMax);
    outRow[d] = fromFloat<T>(value * inverse);
  }
}

} // namespace loom

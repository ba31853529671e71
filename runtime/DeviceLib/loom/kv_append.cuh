// loom/kv_append.cuh: graph.kv_append — K/V rows into their paged-cache slots — and the fused
// rope + kv_append that follows the QKV projection (Q rotated in place, K rotated on its way into
// the cache, V copied), so one kernel sits between the QKV GEMM and attention.
//
// Wrapper contracts (T = bf16, f16 or float; pools and `layer`/`cacheBlocks` as in
// loom/attention_prefill.cuh; a slot outside [0, cacheBlocks * BLOCK_SIZE) — e.g. -1 for a
// padding token — writes nothing):
//   extern "C" __global__ __launch_bounds__(kKvAppendThreads, 1)
//   void kv_append_2(const bf16 *k, const bf16 *v, int rowStride, const int *slots,
//                    bf16 *kCache, bf16 *vCache, int tokens, int layer, int cacheBlocks) {
//     loom::kvAppend<bf16, KV_HEADS, HEAD_DIM, BLOCK_SIZE, ROWS_PER_CTA>(k, v, rowStride, slots,
//         kCache, vCache, tokens, layer, cacheBlocks);
//   }
//   block = (kKvAppendThreads, 1, 1), grid = (ceil(tokens / ROWS_PER_CTA), 1, 1), no shared
//   memory. k and v rows start rowStride elements apart (KV_HEADS * HEAD_DIM, or the packed QKV
//   width when they are views of it).
//
//   extern "C" __global__ __launch_bounds__(kKvAppendThreads, 1)
//   void rope_kv_append_2(bf16 *qkv, const int *positions, const int *slots, bf16 *kCache,
//                         bf16 *vCache, int tokens, int layer, int cacheBlocks) {
//     loom::ropeKvAppend<bf16, STYLE, HEADS, KV_HEADS, HEAD_DIM, BLOCK_SIZE, ROWS_PER_CTA>(qkv,
//         positions, slots, kCache, vCache, tokens, layer, cacheBlocks,
//         loom::RopeFrequencies{theta, factor, lowFreqFactor, highFreqFactor, originalMax});
//   }
//   block = (kKvAppendThreads, 1, 1), grid = (ceil(tokens / ROWS_PER_CTA), 1, 1), no shared
//   memory. qkv is [tokens, (HEADS + 2 KV_HEADS) * HEAD_DIM]: Q heads, then K heads, then V heads.
//   Q and K heads are rotated in place (rounded once to T; loom/rope.cuh), then the rotated K
//   heads and the V heads are copied to the cache. STYLE is loom::RopeStyle.
//   Pointers 16-byte aligned; rowStride and HEAD_DIM multiples of the packet width (copies:
//   the widest power of two of elements up to 16 bytes dividing HEAD_DIM; rope: the same,
//   dividing HEAD_DIM / 2 for rotate-half, so small heads such as head_dim 8 of f32 take
//   narrower packets).
//
// How it works: a CTA handles ROWS_PER_CTA consecutive rows with 16-byte packets. The fused
// kernel runs loom/rope.cuh's rope over the Q and K heads of its rows (frequencies computed once
// per thread, double-precision angles), then, after a CTA barrier, copies the rows it just
// rotated (still in L1/L2) into their slots.
#pragma once

#include "loom/attention_common.cuh"
#include "loom/rope.cuh"

namespace loom {

/// Threads of a kv_append CTA.
constexpr int kKvAppendThreads = 128;

namespace kv_append_detail {

/// Elements per packet of a copy: the widest power of two up to 16 bytes of T dividing `span`.
template <typename T> __host__ __device__ constexpr int packetWidth(int span) {
  int width = 16 / int(sizeof(T));
  while (width > 1 && span % width != 0)
    width /= 2;
  return width;
}

/// The rope packet of a head: rotate-half lanes own pairs (i, i + D/2), so the packet divides
/// D/2; interleaved packets hold whole pairs (at least 2 elements). Lanes per head must divide
/// the CTA's threads.
template <typename T, RopeStyle kStyle, int kHeadDim> __host__ __device__ constexpr int ropePacketWidth() {
  constexpr bool kHalf = kStyle == RopeStyle::kRotateHalf;
  int width = packetWidth<T>(kHalf ? kHeadDim / 2 : kHeadDim);
  if (!kHalf && width < 2)
    width = 2;
  return width;
}

/// Offset of the slot's row of KV head 0 in the layer, or -1 when the slot is outside the pool.
template <int kKvHeads, int kHeadDim, int kBlockSize>
__device__ __forceinline__ long long slotOffset(int slot, int layer, int cacheBlocks) {
  using Layout = PagedLayout<kKvHeads, kHeadDim, kBlockSize>;
  if (slot < 0 || slot >= cacheBlocks * kBlockSize)
    return -1;
  return Layout::layerOffset(layer, cacheBlocks) +
         Layout::rowOffset(slot / kBlockSize, slot % kBlockSize, 0);
}

/// Copies the packets of one row's kKvHeads * kHeadDim elements, spread over the CTA.
template <typename T, int kKvHeads, int kHeadDim>
__device__ __forceinline__ void copyRow(const T *source, T *destination) {
  constexpr int kVec = packetWidth<T>(kHeadDim), kBytes = kVec * int(sizeof(T));
  constexpr int kPackets = kKvHeads * kHeadDim / kVec;
  for (int packet = int(threadIdx.x); packet < kPackets; packet += kKvAppendThreads) {
    RawPacket<kBytes> raw;
    raw.load(source + packet * kVec);
    raw.store(destination + packet * kVec);
  }
}

/// Copies the K and V rows of this CTA's kRowsPerCta rows into their slots; `rowSources(row)`
/// gives the row's (k, v) source pointers.
template <typename T, int kKvHeads, int kHeadDim, int kBlockSize, int kRowsPerCta,
          typename RowSources>
__device__ __forceinline__ void appendRows(const int *slots, T *kCache, T *vCache, int tokens,
                                           int layer, int cacheBlocks, RowSources rowSources) {
  for (int r = 0; r < kRowsPerCta; ++r) {
    const long long row = (long long)blockIdx.x * kRowsPerCta + r;
    if (row >= tokens)
      return;
    const long long offset =
        slotOffset<kKvHeads, kHeadDim, kBlockSize>(slots[row], layer, cacheBlocks);
    if (offset < 0)
      continue;
    const auto sources = rowSources(row);
    copyRow<T, kKvHeads, kHeadDim>(sources.k, kCache + offset);
    copyRow<T, kKvHeads, kHeadDim>(sources.v, vCache + offset);
  }
}

/// Where a row's K and V come from.
template <typename T> struct RowPair {
  const T *k, *v;
};

} // namespace kv_append_detail

/// graph.kv_append of `tokens` rows; see the file comment for the launch contract.
template <typename T, int kKvHeads, int kHeadDim, int kBlockSize, int kRowsPerCta>
__device__ __forceinline__ void kvAppend(const T *__restrict__ k, const T *__restrict__ v,
                                         int rowStride, const int *slots, T *__restrict__ kCache,
                                         T *__restrict__ vCache, int tokens, int layer,
                                         int cacheBlocks) {
  using namespace kv_append_detail;
  appendRows<T, kKvHeads, kHeadDim, kBlockSize, kRowsPerCta>(
      slots, kCache, vCache, tokens, layer, cacheBlocks,
      [&](long long row) { return RowPair<T>{k + row * rowStride, v + row * rowStride}; });
}

/// Fused rope + kv_append; see the file comment.
template <typename T, RopeStyle kStyle, int kHeads, int kKvHeads, int kHeadDim, int kBlockSize,
          int kRowsPerCta>
__device__ __forceinline__ void ropeKvAppend(T *__restrict__ qkv, const int *positions,
                                             const int *slots, T *__restrict__ kCache,
                                             T *__restrict__ vCache, int tokens, int layer,
                                             int cacheBlocks, RopeFrequencies frequencies) {
  using namespace kv_append_detail;
  constexpr int kQueryElements = kHeads * kHeadDim, kKvElements = kKvHeads * kHeadDim;
  constexpr long long kRowElements = kQueryElements + 2 * kKvElements;
  rope<T, kStyle, kHeadDim, kHeads + kKvHeads, kKvAppendThreads,
       ropePacketWidth<T, kStyle, kHeadDim>(), kRowsPerCta>(
      qkv, kRowElements, positions, tokens, frequencies);
  __syncthreads(); // the rotated K rows are written (every thread left rope() at the same row)
  appendRows<T, kKvHeads, kHeadDim, kBlockSize, kRowsPerCta>(
      slots, kCache, vCache, tokens, layer, cacheBlocks, [&](long long row) {
        const T *rowStart = qkv + row * kRowElements + kQueryElements;
        return RowPair<T>{rowStart, rowStart + kKvElements};
      });
}

} // namespace loom

// loom/attention_common.cuh: what the attention kernels share — paged KV cache addressing,
// packing f32 pairs into 16-bit mma operands, quad reductions and the swizzled shared tile.
//
// The paged pools (docs/graph-ops.md): K and V, each [layers][blocks][kBlockSize][kKvHeads]
// [kHeadDim]; context token p of a sequence lives in block blockTable[p / kBlockSize], row
// p % kBlockSize. Block ids and context lengths come from the host; the kernels clamp them into
// the pool and the block table so that bad input gives wrong numbers, never a fault.
#pragma once

#include "loom/types.cuh"

namespace loom {

/// Element offsets into one layer of a paged pool.
template <int kKvHeads, int kHeadDim, int kBlockSize> struct PagedLayout {
  static_assert(kBlockSize >= 1, "a block holds at least one token");
  static constexpr long long kTokenElements = (long long)kKvHeads * kHeadDim;

  /// Offset of layer `layer`'s first element in a pool of `cacheBlocks` blocks per layer.
  static __device__ __forceinline__ long long layerOffset(int layer, int cacheBlocks) {
    return (long long)layer * cacheBlocks * kBlockSize * kTokenElements;
  }
  /// Offset (within a layer) of KV head `kvHead` of row `row` of block `block`.
  static __device__ __forceinline__ long long rowOffset(int block, int row, int kvHead) {
    return ((long long)block * kBlockSize + row) * kTokenElements + (long long)kvHead * kHeadDim;
  }
  /// Block id `block` forced into [0, cacheBlocks).
  static __device__ __forceinline__ int clampBlock(int block, int cacheBlocks) {
    return min(max(block, 0), cacheBlocks - 1);
  }
  /// Context length forced into [0, blocksPerSeq * kBlockSize] (the block table's reach).
  static __device__ __forceinline__ int clampContext(int contextLength, int blocksPerSeq) {
    return min(max(contextLength, 0), blocksPerSeq * kBlockSize);
  }
};

/// Two f32 rounded into one 32-bit word of T (element 0 = lo in the low half).
template <typename T> __device__ __forceinline__ unsigned packPair(float lo, float hi);
template <> __device__ __forceinline__ unsigned packPair<bf16>(float lo, float hi) {
  return toBf16x2(lo, hi).bits;
}
template <> __device__ __forceinline__ unsigned packPair<f16>(float lo, float hi) {
  return toF16x2(lo, hi).bits;
}

/// Max and sum over the 4 lanes of an mma quad (the threads holding one accumulator row).
__device__ __forceinline__ float quadMax(float value) {
  value = fmaxf(value, __shfl_xor_sync(0xffffffffu, value, 1));
  return fmaxf(value, __shfl_xor_sync(0xffffffffu, value, 2));
}
__device__ __forceinline__ float quadSum(float value) {
  value += __shfl_xor_sync(0xffffffffu, value, 1);
  return value + __shfl_xor_sync(0xffffffffu, value, 2);
}

/// Byte offset of 16-byte chunk `chunk` of `row` in a shared tile of kChunksPerRow chunks per row,
/// the chunk's low three bits XOR-ed with row % 8: eight consecutive rows at one logical chunk
/// land in eight distinct bank groups, so ldmatrix and cp.async are conflict-free.
template <int kChunksPerRow> __device__ __forceinline__ unsigned swizzledChunk(int row, int chunk) {
  static_assert(kChunksPerRow % 8 == 0, "rows of at least 128 bytes, in whole 128-byte lines");
  return unsigned(row * kChunksPerRow + (chunk ^ (row & 7))) * 16u;
}

/// `value` through an opaque register move: addresses derived from it inside a loop are
/// recomputed there (two integer ops per use) instead of being hoisted out of the loop into
/// dozens of live registers, as the compiler otherwise does with unrolled swizzled tile offsets.
__device__ __forceinline__ unsigned opaque(unsigned value) {
  unsigned result;
  asm volatile("mov.b32 %0, %1;" : "=r"(result) : "r"(value));
  return result;
}

/// The running maximum a softmax starts from: finite, so exp2(start - start) is 1 and rows that
/// see no key (masked everywhere) end with a zero sum instead of NaN.
constexpr float kSoftmaxStartMax = -1.0e30f;
/// log2(e): scores are scaled by scale * log2(e) so the softmax uses exp2.
constexpr float kLog2e = 1.4426950408889634f;

} // namespace loom

// loom/epilogue_rope_kv.cuh: the rope + KV-append epilogue of a merged QKV projection GEMM.
//
// `RopeKvAppend<T, kHeadDim, kQueryWidth, kKvWidth, kBlockSize, Parts...>` (or makeRopeKvAppend)
// is a GEMM epilogue (loom/epilogue.cuh's contract: `operator()(int row, int col, float v0,
// float v1)` for the adjacent columns col, col + 1, col even) over the N = kQueryWidth +
// 2 kKvWidth columns of Y = X · Wᵀ, whose rows are [q heads | k heads | v heads]:
//   - v0, v1 go through the parts first (e.g. Bias: the q/k/v bias);
//   - q and k columns are an interleaved rope pair (2i, 2i + 1) of their head: rotated by
//     positions[row] with frequency i (loom/rope.cuh's ropeInverseFrequency and ropeAngle, Llama-3
//     scaling included), in f32 from the accumulators, rounded once to T;
//   - compile cost: makeRopeKvAppend fills a per-CTA shared table of the head's kHeadDim / 2
//     inverse frequencies (every thread of the CTA must construct the epilogue: it ends with a CTA
//     barrier; the wrappers construct it at the call, in uniform control flow before any early
//     return; loom::sm90::gemmSkinnySm90 builds it after its own griddepcontrol.wait through
//     loom::sm90::deferEpilogue, with all of its threads), and the angle's cos/sin is one
//     out-of-line function, so a GEMM that holds many accumulator pairs per thread (the wgmma GEMM:
//     32) inlines neither the double-precision pow nor the sincos at each pair;
//   - q columns are stored to q[row * kQueryWidth + col];
//   - k and v columns are stored to the paged cache slot slots[row] of layer `layer` (the layout
//     and the out-of-pool rule of loom/kv_append.cuh: a slot outside [0, cacheBlocks ·
//     kBlockSize), e.g. -1 for padding, writes nothing).
// Rotate-half ropes pair columns D/2 apart, which one call never holds: graph-rope-pairs permutes
// the q/k weight rows so that the ropes are interleaved. Families that bypass the pair call
// (loom::gemmSimt's per-element store, gemm_sm90's staged stores of epi::Epilogue<bf16>) never
// receive this type: the compiler fuses only bf16/f16 GEMMs and this is not epi::Epilogue.
#pragma once

#include "loom/epilogue.cuh"
#include "loom/kv_append.cuh"

namespace loom {
namespace epi {

/// ropeAngle out of line: one copy per kernel instead of one per accumulator pair.
inline __device__ __noinline__ float2 ropeCosSin(int position, double inverseFrequency) {
  float2 cs;
  ropeAngle(position, inverseFrequency, cs.x, cs.y);
  return cs;
}

template <typename T, int kHeadDim, int kQueryWidth, int kKvWidth, int kBlockSize, typename... Parts>
struct RopeKvAppend {
  static_assert(kHeadDim % 2 == 0 && kQueryWidth % kHeadDim == 0 && kKvWidth % kHeadDim == 0,
                "q, k and v are whole heads of an even head dimension");
  T *q;
  const int *positions;
  const int *slots;
  T *kCache;
  T *vCache;
  int layer;
  int cacheBlocks;
  const double *inverseFrequencies; // [kHeadDim / 2], shared memory
  PartList<Parts...> parts;

  __device__ __forceinline__ void operator()(int row, int col, float v0, float v1) const {
    v0 = parts(v0, row, col);
    v1 = parts(v1, row, col + 1);
    if (col < kQueryWidth + kKvWidth) { // q or k: out_2i = x_2i cos - x_2i+1 sin, ...
      const float2 cs = ropeCosSin(positions[row], inverseFrequencies[(col % kHeadDim) / 2]);
      const float cosine = cs.x, sine = cs.y;
      const float rotated0 = v0 * cosine - v1 * sine;
      v1 = v1 * cosine + v0 * sine;
      v0 = rotated0;
    }
    if (col < kQueryWidth) {
      PairStore<T>::store(q + (long long)row * kQueryWidth + col, v0, v1);
      return;
    }
    const long long offset = kv_append_detail::slotOffset<kKvWidth / kHeadDim, kHeadDim, kBlockSize>(
        slots[row], layer, cacheBlocks);
    if (offset < 0)
      return;
    const int column = col - kQueryWidth; // within [k | v]
    T *cache = column < kKvWidth ? kCache : vCache;
    PairStore<T>::store(cache + offset + (column < kKvWidth ? column : column - kKvWidth), v0, v1);
  }
};

template <typename T, int kHeadDim, int kQueryWidth, int kKvWidth, int kBlockSize, typename... Parts>
__device__ __forceinline__ RopeKvAppend<T, kHeadDim, kQueryWidth, kKvWidth, kBlockSize, Parts...>
makeRopeKvAppend(T *q, const int *positions, const int *slots, T *kCache, T *vCache, int layer,
                 int cacheBlocks, RopeFrequencies frequencies, Parts... parts) {
  return {q,           positions,  slots,
          kCache,      vCache,     layer,
          cacheBlocks, ropeInverseFrequencyTable<kHeadDim>(frequencies), {parts...}};
}

} // namespace epi
} // namespace loom

// loom/vec.cuh: vector loads/stores converted to f32, and reductions over the threads of one row.
//
// The memory-bound families (norm, elementwise, embedding, softmax, argmax, rope) move data in
// packets of N consecutive elements whose bytes move in 16-byte words (one 8-, 4- or 2-byte word
// for smaller packets); 16-bit types convert two at a time (cvt.rn.bf16x2.f32). A packet must be
// aligned to min(16, its bytes): the caller guarantees it by choosing N so that row lengths and
// offsets are multiples of N and base pointers are 16-byte aligned (cuMemAlloc gives 256).
//
// `RowGroup<kThreadsPerRow, kRowsPerCta>` describes a CTA of kThreadsPerRow * kRowsPerCta threads
// in which consecutive groups of kThreadsPerRow threads each own one row. kThreadsPerRow is a power
// of two from 1 to 1024. Row reductions are warp shuffles within the group, plus one shared-memory
// exchange between the group's warps when kThreadsPerRow > 32. Every thread of the CTA must call a
// row reduction (they contain __syncthreads when kThreadsPerRow > 32), also threads whose row is
// past the end of the tensor: they pass the identity value.
#pragma once

#include "loom/reduce.cuh"
#include "loom/types.cuh"

namespace loom {

/// The raw bytes of a packet of kBytes (4, 8 or a multiple of 16) as 32-bit words, moved with
/// 16-, 8- or 4-byte accesses to global memory.
template <int kBytes> struct RawPacket {
  static_assert(kBytes == 4 || kBytes == 8 || kBytes % 16 == 0,
                "a packet is 2, 4, 8 or a multiple of 16 bytes");
  static constexpr int kWords = kBytes / 4;
  unsigned int words[kWords];

  __device__ __forceinline__ void load(const void *src) {
    if constexpr (kBytes % 16 == 0) {
#pragma unroll
      for (int c = 0; c < kWords / 4; ++c) {
        const uint4 chunk = static_cast<const uint4 *>(src)[c];
        words[4 * c] = chunk.x, words[4 * c + 1] = chunk.y;
        words[4 * c + 2] = chunk.z, words[4 * c + 3] = chunk.w;
      }
    } else if constexpr (kBytes == 8) {
      const uint2 chunk = *static_cast<const uint2 *>(src);
      words[0] = chunk.x, words[1] = chunk.y;
    } else {
      words[0] = *static_cast<const unsigned int *>(src);
    }
  }
  /// Stores through inline PTX: NVVM splits uint4 stores of values merged across branches
  /// into four 4-byte stores, so the 16-byte and 8-byte stores are spelled out.
  __device__ __forceinline__ void store(void *dst) const {
    if constexpr (kBytes % 16 == 0) {
#pragma unroll
      for (int c = 0; c < kWords / 4; ++c)
        asm volatile("{ .reg .u64 g; cvta.to.global.u64 g, %0;"
                     " st.global.v4.b32 [g], {%1, %2, %3, %4}; }"
                     :
                     : "l"(static_cast<uint4 *>(dst) + c), "r"(words[4 * c]),
                       "r"(words[4 * c + 1]), "r"(words[4 * c + 2]), "r"(words[4 * c + 3])
                     : "memory");
    } else if constexpr (kBytes == 8) {
      asm volatile("{ .reg .u64 g; cvta.to.global.u64 g, %0; st.global.v2.b32 [g], {%1, %2}; }"
                   :
                   : "l"(dst), "r"(words[0]), "r"(words[1])
                   : "memory");
    } else {
      *static_cast<unsigned int *>(dst) = words[0];
    }
  }
};

/// A 2-byte packet: one 16-bit element.
template <> struct RawPacket<2> {
  unsigned short bits;
  __device__ __forceinline__ void load(const void *src) {
    bits = *static_cast<const unsigned short *>(src);
  }
  __device__ __forceinline__ void store(void *dst) const {
    *static_cast<unsigned short *>(dst) = bits;
  }
};

/// How elements of T sit in a 32-bit word (element 0 in the low bits) and convert to/from f32.
template <typename T> struct Packing;
template <> struct Packing<float> {
  static constexpr int kPerWord = 1;
  static __device__ __forceinline__ void unpack(unsigned int word, float *out) {
    out[0] = __uint_as_float(word);
  }
  static __device__ __forceinline__ unsigned int pack(const float *in) {
    return __float_as_uint(in[0]);
  }
};
template <> struct Packing<bf16> {
  static constexpr int kPerWord = 2;
  static __device__ __forceinline__ void unpack(unsigned int word, float *out) {
    out[0] = __uint_as_float(word << 16);
    out[1] = __uint_as_float(word & 0xffff0000u);
  }
  static __device__ __forceinline__ unsigned int pack(const float *in) {
    return toBf16x2(in[0], in[1]).bits;
  }
};
template <> struct Packing<f16> {
  static constexpr int kPerWord = 2;
  static __device__ __forceinline__ void unpack(unsigned int word, float *out) {
    out[0] = toFloat(f16{(unsigned short)(word & 0xffffu)});
    out[1] = toFloat(f16{(unsigned short)(word >> 16)});
  }
  static __device__ __forceinline__ unsigned int pack(const float *in) {
    return toF16x2(in[0], in[1]).bits;
  }
};

/// Loads N elements at `src` (aligned to min(16, N * sizeof(T)) bytes) as f32.
template <int N, typename T>
__device__ __forceinline__ void loadFloats(const T *src, float (&out)[N]) {
  constexpr int kBytes = N * int(sizeof(T));
  if constexpr (kBytes < 4) {
    out[0] = toFloat(src[0]);
  } else {
    RawPacket<kBytes> packet;
    packet.load(src);
#pragma unroll
    for (int i = 0; i < kBytes / 4; ++i)
      Packing<T>::unpack(packet.words[i], out + i * Packing<T>::kPerWord);
  }
}

/// Rounds N f32 values to T (round to nearest even) and stores them at `dst` (aligned as above).
template <int N, typename T>
__device__ __forceinline__ void storeFloats(T *dst, const float (&in)[N]) {
  constexpr int kBytes = N * int(sizeof(T));
  if constexpr (kBytes < 4) {
    dst[0] = fromFloat<T>(in[0]);
  } else {
    RawPacket<kBytes> packet;
#pragma unroll
    for (int i = 0; i < kBytes / 4; ++i)
      packet.words[i] = Packing<T>::pack(in + i * Packing<T>::kPerWord);
    packet.store(dst);
  }
}

/// Rounds an f32 value through T and back: what storing it as T and reloading would give.
template <typename T> __device__ __forceinline__ float roundThrough(float value) {
  return toFloat(fromFloat<T>(value));
}

__device__ __forceinline__ float shuffleXor(float value, int offset) {
  return __shfl_xor_sync(0xffffffffu, value, offset);
}

/// A CTA of kRowsPerCta groups of kThreadsPerRow threads, one row per group.
template <int kThreadsPerRow, int kRowsPerCta> struct RowGroup {
  static_assert(kThreadsPerRow >= 1 && kThreadsPerRow <= 1024 &&
                    (kThreadsPerRow & (kThreadsPerRow - 1)) == 0,
                "threads per row is a power of two in [1, 1024]");
  static_assert(kRowsPerCta >= 1 && kThreadsPerRow * kRowsPerCta <= 1024,
                "a CTA has at most 1024 threads");
  static constexpr int kThreads = kThreadsPerRow * kRowsPerCta;
  static constexpr int kWarpsPerRow = kThreadsPerRow > 32 ? kThreadsPerRow / 32 : 1;

  /// This thread's index within its row's group.
  static __device__ __forceinline__ int lane() { return int(threadIdx.x) % kThreadsPerRow; }
  /// This thread's row within the CTA.
  static __device__ __forceinline__ int localRow() { return int(threadIdx.x) / kThreadsPerRow; }
  /// This thread's row in the tensor (the CTA's first row is blockIdx.x * kRowsPerCta).
  static __device__ __forceinline__ long long row() {
    return (long long)blockIdx.x * kRowsPerCta + localRow();
  }

  /// Combines `value` over the row's threads with `op`; every thread gets the same result.
  /// V is float or a small struct with a `shuffleXor(V, int)` overload in namespace loom.
  template <typename V, typename Op> static __device__ __forceinline__ V reduce(V value, Op op) {
    constexpr int kSpan = kThreadsPerRow < 32 ? kThreadsPerRow : 32;
#pragma unroll
    for (int offset = kSpan / 2; offset > 0; offset >>= 1)
      value = op(value, shuffleXor(value, offset));
    if constexpr (kWarpsPerRow > 1) {
      __shared__ V partials[kRowsPerCta][kWarpsPerRow];
      const int warp = lane() / 32;
      __syncthreads(); // earlier readers of `partials` are done
      if (lane() % 32 == 0)
        partials[localRow()][warp] = value;
      __syncthreads();
      value = partials[localRow()][0];
#pragma unroll
      for (int w = 1; w < kWarpsPerRow; ++w)
        value = op(value, partials[localRow()][w]);
    }
    return value;
  }

  static __device__ __forceinline__ float sum(float value) {
    return reduce(value, [](float a, float b) { return a + b; });
  }
  static __device__ __forceinline__ float max(float value) {
    return reduce(value, [](float a, float b) { return fmaxf(a, b); });
  }
};

/// The packets of one row of kHidden elements that a thread of its kThreadsPerRow-thread group
/// owns: packet p of lane l starts at element (l + p * kThreadsPerRow) * kVec. When the row's
/// packet count is not a multiple of kThreadsPerRow the last packet of some lanes is empty.
template <int kHidden, int kThreadsPerRow, int kVec> struct RowSlice {
  static_assert(kHidden % kVec == 0, "the row length must be a multiple of the vector width");
  static constexpr int kVectors = kHidden / kVec;
  static constexpr int kPackets = (kVectors + kThreadsPerRow - 1) / kThreadsPerRow;

  static __device__ __forceinline__ bool has(int lane, int packet) {
    return kVectors % kThreadsPerRow == 0 || lane + packet * kThreadsPerRow < kVectors;
  }
  static __device__ __forceinline__ int offset(int lane, int packet) {
    return (lane + packet * kThreadsPerRow) * kVec;
  }

  /// Loads this lane's packets of `row` as f32; packets it does not own (or all, when `active`
  /// is false) are zeros.
  template <typename T>
  static __device__ __forceinline__ void load(const T *row, int lane, bool active,
                                              float (&values)[kPackets][kVec]) {
#pragma unroll
    for (int p = 0; p < kPackets; ++p) {
      if (active && has(lane, p)) {
        loadFloats<kVec>(row + offset(lane, p), values[p]);
      } else {
#pragma unroll
        for (int i = 0; i < kVec; ++i)
          values[p][i] = 0.0f;
      }
    }
  }

  /// Stores this lane's packets of `row` (nothing when `active` is false).
  template <typename T>
  static __device__ __forceinline__ void store(T *row, int lane, bool active,
                                               const float (&values)[kPackets][kVec]) {
#pragma unroll
    for (int p = 0; p < kPackets; ++p)
      if (active && has(lane, p))
        storeFloats<kVec>(row + offset(lane, p), values[p]);
  }
};

} // namespace loom

// loom/rope.cuh: rotary position embedding applied in place to Q/K rows.
//
// Wrapper contract: `extern "C" __global__ __launch_bounds__(kThreadsPerRow) void f(T *x,
//   long long rowStride, const int *positions, int rows)` calling
//   rope<T, kStyle, kHeadDim, kHeads, kThreadsPerRow, kVec, kRowsPerCta>(x, rowStride, positions,
//   rows, RopeFrequencies{theta, factor, lowFreqFactor, highFreqFactor, originalMaxPosition});
//   (the emitter writes the frequency constants as literals in the wrapper).
//   block = (kThreadsPerRow, 1, 1), grid = (ceil(rows / kRowsPerCta), 1, 1), no shared memory.
//   Row t holds kHeads heads of kHeadDim contiguous elements starting at x + t * rowStride
//   (rowStride in elements: Q alone, K alone, or Q and K heads of a packed QKV row in one launch);
//   it rotates by positions[t]. rows is the dynamic token count.
//   Each CTA does kRowsPerCta consecutive rows with the same threads, so the frequencies are
//   computed once per thread. Lanes per head: kHeadDim / 2 / kVec (rotate-half: a lane owns kVec
//   pairs (i, i + D/2)) or kHeadDim / kVec (interleaved: kVec / 2 pairs (2i, 2i + 1)); at most
//   kThreadsPerRow; a lane loops over heads and threads past the last whole head idle, so any
//   even kHeadDim works (96 in bf16: 6 lanes a head).
//   Alignment: x and x + rowStride aligned to min(16, kVec * sizeof(T)) bytes (rowStride and
//   kHeadDim multiples of kVec; kHeadDim 64/128 with kVec = 8 for bf16).
// Frequencies: inv_freq(i) = theta^(-2i/D), with Llama-3 scaling when factor > 0 (transformers'
// _compute_llama3_parameters). inv_freq and the angle position * inv_freq are computed in double
// and reduced to [-1/2, 1/2] turns before an f32 sincospif (whose reduction is exact, so no
// large-argument path is compiled), so large positions keep f32 accuracy; the rotation itself is
// f32 and rounds once to T. GEMM epilogues (loom/epilogue_rope_kv.cuh) read inv_freq from a
// per-CTA table (ropeInverseFrequencyTable) instead of inlining it at every accumulator pair.
#pragma once

#include "loom/vec.cuh"

namespace loom {

/// Which elements of a head are rotated together.
enum class RopeStyle { kRotateHalf, kInterleaved };

/// The frequency parameters of graph.rope; factor <= 0 means no Llama-3 scaling.
struct RopeFrequencies {
  float theta;
  float factor;
  float lowFreqFactor;
  float highFreqFactor;
  float originalMaxPosition;
};

/// inv_freq of pair index i (0 <= i < headDim / 2), in double.
__device__ __forceinline__ double ropeInverseFrequency(const RopeFrequencies &f, int i,
                                                       int headDim) {
  const double inverse = pow((double)f.theta, -2.0 * i / headDim);
  if (!(f.factor > 0.0f))
    return inverse;
  constexpr double kTwoPi = 6.283185307179586;
  const double wavelength = kTwoPi / inverse;
  const double lowFreqWavelength = f.originalMaxPosition / (double)f.lowFreqFactor;
  const double highFreqWavelength = f.originalMaxPosition / (double)f.highFreqFactor;
  if (wavelength < highFreqWavelength)
    return inverse;
  if (wavelength > lowFreqWavelength)
    return inverse / f.factor;
  const double smooth = (f.originalMaxPosition / wavelength - f.lowFreqFactor) /
                        ((double)f.highFreqFactor - f.lowFreqFactor);
  return (1.0 - smooth) * inverse / f.factor + smooth * inverse;
}

/// The inverse frequencies of a head's kHeadDim / 2 pairs, computed once per CTA into shared
/// memory. Every thread of the CTA must call it (it ends with a CTA barrier).
template <int kHeadDim>
__device__ __forceinline__ const double *ropeInverseFrequencyTable(const RopeFrequencies &f) {
  __shared__ double table[kHeadDim / 2];
  const int thread = int(threadIdx.x + blockDim.x * (threadIdx.y + blockDim.y * threadIdx.z));
  const int threads = int(blockDim.x * blockDim.y * blockDim.z);
  for (int i = thread; i < kHeadDim / 2; i += threads)
    table[i] = ropeInverseFrequency(f, i, kHeadDim);
  __syncthreads();
  return table;
}

/// cos and sin of position * inverseFrequency, accurate for large positions: the angle in turns,
/// reduced in double, then sincospif (exact reduction: no large-argument path in the code).
__device__ __forceinline__ void ropeAngle(int position, double inverseFrequency, float &cosine,
                                          float &sine) {
  constexpr double kInverseTwoPi = 0.15915494309189535; // 1 / (2 pi)
  const double turns = position * inverseFrequency * kInverseTwoPi;
  sincospif((float)(2.0 * (turns - rint(turns))), &sine, &cosine);
}

template <typename T, RopeStyle kStyle, int kHeadDim, int kHeads, int kThreadsPerRow, int kVec,
          int kRowsPerCta>
__device__ __forceinline__ void rope(T *x, long long rowStride, const int *positions, int rows,
                                     RopeFrequencies frequencies) {
  constexpr bool kHalf = kStyle == RopeStyle::kRotateHalf;
  static_assert((kHalf || kVec % 2 == 0) && kHeadDim % (kHalf ? 2 * kVec : kVec) == 0,
                "the head dimension must split into whole packets (interleaved: whole pairs)");
  constexpr int kLanesPerHead = kHalf ? kHeadDim / 2 / kVec : kHeadDim / kVec;
  constexpr int kPairs = kHalf ? kVec : kVec / 2; // frequencies per lane
  static_assert(kLanesPerHead <= kThreadsPerRow, "one head's lanes fit in the threads of a row");
  // Threads past the last whole head of a pass idle (e.g. head_dim 96 in bf16: 6 lanes a head,
  // 21 heads a pass of 128 threads, 2 idle).
  constexpr int kHeadsPerPass = kThreadsPerRow / kLanesPerHead;
  if (int(threadIdx.x) >= kHeadsPerPass * kLanesPerHead)
    return;
  const int headLane = threadIdx.x % kLanesPerHead;
  const int firstHead = threadIdx.x / kLanesPerHead;
  // Elements [start, start + kVec) of a head (and, rotate-half, their partners D/2 further).
  const int start = headLane * kVec;
  const int firstPair = kHalf ? start : start / 2;
  double inverseFrequency[kPairs];
#pragma unroll
  for (int j = 0; j < kPairs; ++j)
    inverseFrequency[j] = ropeInverseFrequency(frequencies, firstPair + j, kHeadDim);

  for (int r = 0; r < kRowsPerCta; ++r) {
    const long long row = (long long)blockIdx.x * kRowsPerCta + r;
    if (row >= rows)
      return;
    float cosine[kPairs], sine[kPairs];
    const int position = positions[row];
#pragma unroll
    for (int j = 0; j < kPairs; ++j)
      ropeAngle(position, inverseFrequency[j], cosine[j], sine[j]);
    T *rowStart = x + row * rowStride;
    for (int head = firstHead; head < kHeads; head += kHeadsPerPass) {
      T *first = rowStart + head * kHeadDim + start;
      float a[kVec];
      loadFloats<kVec>(first, a);
      if constexpr (kHalf) {
        // out_i = x_i cos - x_{i+D/2} sin;  out_{i+D/2} = x_{i+D/2} cos + x_i sin
        float b[kVec], outA[kVec], outB[kVec];
        loadFloats<kVec>(first + kHeadDim / 2, b);
#pragma unroll
        for (int j = 0; j < kVec; ++j) {
          outA[j] = a[j] * cosine[j] - b[j] * sine[j];
          outB[j] = b[j] * cosine[j] + a[j] * sine[j];
        }
        storeFloats<kVec>(first, outA);
        storeFloats<kVec>(first + kHeadDim / 2, outB);
      } else {
        float rotated[kVec];
#pragma unroll
        for (int j = 0; j < kPairs; ++j) {
          rotated[2 * j] = a[2 * j] * cosine[j] - a[2 * j + 1] * sine[j];
          rotated[2 * j + 1] = a[2 * j + 1] * cosine[j] + a[2 * j] * sine[j];
        }
        storeFloats<kVec>(first, rotated);
      }
    }
  }
}

} // namespace loom

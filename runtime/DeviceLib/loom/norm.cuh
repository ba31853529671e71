// loom/norm.cuh: RMSNorm, fused residual-add + RMSNorm, and LayerNorm over rows of kHidden.
//
// Wrapper contract (one emitted `extern "C" __global__ __launch_bounds__(THREADS)` per fused group):
//   THREADS = kThreadsPerRow * kRowsPerCta, block = (THREADS, 1, 1),
//   grid = (ceil(rows / kRowsPerCta), 1, 1), no dynamic shared memory (the static shared memory is
//   4 * kRowsPerCta * kThreadsPerRow / 32 bytes when kThreadsPerRow > 32, else none).
//   Tensors are contiguous row-major [rows, kHidden]; weight and bias are [kHidden]. `rows` is
//   the dynamic token count (0 is allowed: launch nothing, or a grid of 1 that writes nothing).
//   Alignment: kHidden % kVec == 0 is a static_assert (compile error otherwise), and base pointers
//   must be aligned to min(16, kVec * sizeof(element)) bytes. Hidden sizes that are multiples of 8
//   take kVec = 8 (bf16/f16: 16-byte accesses); other sizes must pick the largest kVec dividing
//   kHidden (kVec = 1 always compiles) and run with narrower accesses.
//
// How it works: each thread keeps its kHidden / kThreadsPerRow elements of the row in registers
// (ceil(kHidden / (kVec * kThreadsPerRow)) packets), so a row is read once and written once; the
// statistics are f32 sums reduced over the row's threads (RowGroup in vec.cuh). Math is f32 and
// each output is rounded once to its storage type.
//
//   rmsNorm:    out = x * rsqrt(mean(x^2) + eps) * weight
//   addRmsNorm: residualOut = round(x + residual);  out = rmsNorm(residualOut)
//               (normalizes the rounded sum, exactly what the unfused add then rms_norm compute;
//                residualOut may alias residual or x, out may alias x)
//   layerNorm:  out = (x - mean) * rsqrt(var + eps) * weight [+ bias], var = mean((x - mean)^2)
//               (two-pass statistics from registers, no extra memory traffic)
#pragma once

#include "loom/vec.cuh"

namespace loom {

/// The row layout and launch shape shared by the norm kernels.
template <int kHidden, int kThreadsPerRow, int kVec, int kRowsPerCta> struct NormShape {
  using Group = RowGroup<kThreadsPerRow, kRowsPerCta>;
  using Slice = RowSlice<kHidden, kThreadsPerRow, kVec>;
  using Values = float[Slice::kPackets][kVec];

  /// Sum over the row of f(value) for this thread's values (reduced across the row's threads).
  template <typename F> static __device__ __forceinline__ float rowSum(const Values &values, F f) {
    float partial = 0.0f;
#pragma unroll
    for (int p = 0; p < Slice::kPackets; ++p)
#pragma unroll
      for (int i = 0; i < kVec; ++i)
        partial += f(values[p][i]); // lanes' unowned packets hold zeros; f(0) must be 0
    return Group::sum(partial);
  }

  /// values *= rsqrt(mean(values^2) + eps) * weight: RMSNorm of the row in registers.
  template <typename W>
  static __device__ __forceinline__ void applyRms(Values &values, const W *weight, float eps,
                                                  int lane) {
    const float meanSquare = rowSum(values, [](float v) { return v * v; }) / kHidden;
    scaleByWeight<false>(values, rsqrtf(meanSquare + eps), weight, (const W *)nullptr, lane);
  }

  /// values[p][i] = values[p][i] * scale * weight[i] (+ bias[i]) for owned packets.
  template <bool kHasBias, typename W>
  static __device__ __forceinline__ void scaleByWeight(Values &values, float scale,
                                                       const W *weight, const W *bias, int lane) {
#pragma unroll
    for (int p = 0; p < Slice::kPackets; ++p) {
      if (!Slice::has(lane, p))
        continue;
      float w[kVec], b[kVec];
      loadFloats<kVec>(weight + Slice::offset(lane, p), w);
      if constexpr (kHasBias)
        loadFloats<kVec>(bias + Slice::offset(lane, p), b);
#pragma unroll
      for (int i = 0; i < kVec; ++i) {
        values[p][i] = values[p][i] * scale * w[i];
        if constexpr (kHasBias)
          values[p][i] += b[i];
      }
    }
  }
};

/// RMSNorm of each row of x into out (see the file comment for the launch contract).
template <typename T, typename W, typename Out, int kHidden, int kThreadsPerRow, int kVec,
          int kRowsPerCta>
__device__ __forceinline__ void rmsNorm(const T *x, const W *weight, Out *out, int rows,
                                        float eps) {
  using Shape = NormShape<kHidden, kThreadsPerRow, kVec, kRowsPerCta>;
  const int lane = Shape::Group::lane();
  const long long row = Shape::Group::row();
  const bool active = row < rows;
  float values[Shape::Slice::kPackets][kVec];
  Shape::Slice::load(x + row * kHidden, lane, active, values);
  Shape::applyRms(values, weight, eps, lane);
  Shape::Slice::store(out + row * kHidden, lane, active, values);
}

/// residualOut = x + residual (rounded to T), out = RMSNorm(residualOut), in one pass.
template <typename T, typename W, typename Out, int kHidden, int kThreadsPerRow, int kVec,
          int kRowsPerCta>
__device__ __forceinline__ void addRmsNorm(const T *x, const T *residual, const W *weight,
                                           T *residualOut, Out *out, int rows, float eps) {
  using Shape = NormShape<kHidden, kThreadsPerRow, kVec, kRowsPerCta>;
  const int lane = Shape::Group::lane();
  const long long row = Shape::Group::row();
  const bool active = row < rows;
  float values[Shape::Slice::kPackets][kVec], other[Shape::Slice::kPackets][kVec];
  Shape::Slice::load(x + row * kHidden, lane, active, values);
  Shape::Slice::load(residual + row * kHidden, lane, active, other);
#pragma unroll
  for (int p = 0; p < Shape::Slice::kPackets; ++p)
#pragma unroll
    for (int i = 0; i < kVec; ++i)
      values[p][i] = roundThrough<T>(values[p][i] + other[p][i]);
  Shape::Slice::store(residualOut + row * kHidden, lane, active, values);
  Shape::applyRms(values, weight, eps, lane);
  Shape::Slice::store(out + row * kHidden, lane, active, values);
}

/// LayerNorm of each row of x into out; `bias` is read only when kHasBias (else pass nullptr).
template <typename T, typename W, typename Out, bool kHasBias, int kHidden, int kThreadsPerRow,
          int kVec, int kRowsPerCta>
__device__ __forceinline__ void layerNorm(const T *x, const W *weight, const W *bias, Out *out,
                                          int rows, float eps) {
  using Shape = NormShape<kHidden, kThreadsPerRow, kVec, kRowsPerCta>;
  using Slice = typename Shape::Slice;
  const int lane = Shape::Group::lane();
  const long long row = Shape::Group::row();
  const bool active = row < rows;
  float values[Slice::kPackets][kVec];
  Slice::load(x + row * kHidden, lane, active, values);
  const float mean = Shape::rowSum(values, [](float v) { return v; }) / kHidden;
  // Unowned packets hold zeros; centre only owned ones so they keep contributing nothing.
  float centred[Slice::kPackets][kVec];
#pragma unroll
  for (int p = 0; p < Slice::kPackets; ++p)
#pragma unroll
    for (int i = 0; i < kVec; ++i)
      centred[p][i] = Slice::has(lane, p) ? values[p][i] - mean : 0.0f;
  const float variance = Shape::rowSum(centred, [](float v) { return v * v; }) / kHidden;
  Shape::template scaleByWeight<kHasBias>(centred, rsqrtf(variance + eps), weight, bias,
                                          lane);
  Slice::store(out + row * kHidden, lane, active, centred);
}

} // namespace loom

// loom/epilogue.cuh: composable GEMM epilogues applied to f32 accumulators before the store,
// gating of merged gate/up projections, and the RMSNorm prologue's row scale.
//
// An epilogue is `Epilogue<Out, Parts...>{{y, ldy}, part0, part1, ...}` (or makeEpilogue): a
// callable `operator()(int row, int col, float v0, float v1)` that runs v0 (at col) and v1 (at
// col + 1) through every part left to right and stores both to y[row * ldy + col] as Out (bf16,
// f16 or float). Every GEMM family calls it once per pair of adjacent output columns, with col
// even and both columns in bounds, so any family (mma.sync, wgmma, GEMV) shares the parts.
// Parts (each `float operator()(float v, int row, int col) const`):
//   Bias<T>{bias}              v + bias[col]
//   Residual<T>{r, ldr}        v + r[row * ldr + col]
//   Activation<Op>             Op from elementwise.cuh: Silu, GeluErf
//   GeluTanh                   gelu (tanh approximation) as v * sigmoid(2u)
//   Scaled{s}                  v * s
// The row families add, before the epilogue:
//   NoGating / Gated<Op>       Gated: out = Op(gate) * up, with W = [gate rows; up rows] ([2F, K])
//   NoPrologue / RmsNormPrologue{eps}: multiply row r's accumulators by rsqrt(mean(x[r]^2) + eps),
//                              computed in-kernel from the streamed X (fold the norm gain into W)
#pragma once

#include "loom/elementwise.cuh"
#include "loom/types.cuh"

namespace loom {
namespace epi {

template <typename T> struct Bias {
  const T *bias;
  __device__ __forceinline__ float operator()(float v, int, int col) const {
    return v + toFloat(bias[col]);
  }
};

template <typename T> struct Residual {
  const T *residual;
  int rowStride;
  __device__ __forceinline__ float operator()(float v, int row, int col) const {
    return v + toFloat(residual[(long long)row * rowStride + col]);
  }
};

template <typename Op> struct Activation {
  __device__ __forceinline__ float operator()(float v, int, int) const {
    return Op::apply(v, nullptr);
  }
};
using Silu = Activation<loom::Silu>;
using GeluErf = Activation<loom::GeluErf>;

/// gelu with the tanh approximation, the same function as loom::GeluTanh written as
/// v * sigmoid(2u) = v / (1 + e^(-2u)), u = sqrt(2/pi) (v + 0.044715 v^3) — a 2-ulp exp2 and a fast
/// divide, as loom::Silu, instead of tanhf's branchy sequence, which a GEMM epilogue pays while
/// its tensor cores wait (+20% over the plain wgmma GEMM at 4096^3, docs/perf-gemm.md session 5).
/// Where e^(-2u) overflows, the quotient is the -0 that gelu tends to.
struct GeluTanh {
  __device__ __forceinline__ float operator()(float v, int, int) const {
    constexpr float kMinusTwoSqrt2OverPiLog2e = -2.0f * 0.7978845608028654f * 1.4426950408889634f;
    return __fdividef(v, 1.0f + exp2f(kMinusTwoSqrt2OverPiLog2e * (v + 0.044715f * v * v * v)));
  }
};

struct Scaled {
  float scale;
  __device__ __forceinline__ float operator()(float v, int, int) const { return v * scale; }
};

/// The parts of an epilogue, applied first to last.
template <typename... Parts> struct PartList {
  __device__ __forceinline__ float operator()(float v, int, int) const { return v; }
};
template <typename First, typename... Rest> struct PartList<First, Rest...> {
  First first;
  PartList<Rest...> rest;
  __device__ __forceinline__ float operator()(float v, int row, int col) const {
    return rest(first(v, row, col), row, col);
  }
};

/// Stores pairs of adjacent columns as Out.
template <typename Out> struct PairStore;
template <> struct PairStore<bf16> {
  static __device__ __forceinline__ void store(bf16 *at, float v0, float v1) {
    *reinterpret_cast<bf16x2 *>(at) = toBf16x2(v0, v1);
  }
};
template <> struct PairStore<f16> {
  static __device__ __forceinline__ void store(f16 *at, float v0, float v1) {
    *reinterpret_cast<f16x2 *>(at) = toF16x2(v0, v1);
  }
};
template <> struct PairStore<float> {
  static __device__ __forceinline__ void store(float *at, float v0, float v1) {
    *reinterpret_cast<float2 *>(at) = make_float2(v0, v1);
  }
};

/// Where results go: row-major Y with `rowStride` elements per row.
template <typename Out> struct Output {
  Out *y;
  int rowStride;
};

template <typename Out, typename... Parts> struct Epilogue {
  Output<Out> output;
  PartList<Parts...> parts;
  __device__ __forceinline__ void operator()(int row, int col, float v0, float v1) const {
    v0 = parts(v0, row, col);
    v1 = parts(v1, row, col + 1);
    PairStore<Out>::store(output.y + (long long)row * output.rowStride + col, v0, v1);
  }
};

template <typename Out, typename... Parts>
__device__ __forceinline__ Epilogue<Out, Parts...> makeEpilogue(Out *y, int rowStride,
                                                                Parts... parts) {
  return Epilogue<Out, Parts...>{{y, rowStride}, {parts...}};
}

} // namespace epi

/// One output per weight row: W is [N, K].
struct NoGating {
  static constexpr int kWeightsPerOutput = 1;
};
/// Merged gate/up projection: W is [2F, K], gate rows [0, F), up rows [F, 2F); out = Op(g) * u.
template <typename Op> struct Gated {
  static constexpr int kWeightsPerOutput = 2;
  static __device__ __forceinline__ float combine(float gate, float up) {
    return Op::apply(gate, nullptr) * up;
  }
};
using GatedSilu = Gated<Silu>;

/// No prologue: the accumulators are used as they are.
struct NoPrologue {
  static constexpr bool kRowScale = false;
  float eps = 0.0f;
};
/// RMSNorm of X's rows folded into the GEMM: y[r] = rsqrt(mean_k(x[r,k]^2) + eps) * (x[r] · W^T).
struct RmsNormPrologue {
  static constexpr bool kRowScale = true;
  float eps;
};

/// An epilogue built where the kernel calls for it, after its grid-dependency wait, by every
/// thread of the CTA: for an epilogue expression that does work (makeRopeKvAppend fills a shared
/// table in loops, so branches, which may not precede the wait). loom::gemv and
/// loom::sm90::gemmSkinnySm90 take either a built epilogue or deferEpilogue(lambda).
template <class Make> struct DeferredEpilogue {
  Make make;
};
template <class Make> __device__ __forceinline__ DeferredEpilogue<Make> deferEpilogue(Make make) { return {make}; }
template <class Epilogue> __device__ __forceinline__ const Epilogue &epilogueAfterWait(const Epilogue &epilogue) {
  return epilogue;
}
template <class Make> __device__ __forceinline__ auto epilogueAfterWait(const DeferredEpilogue<Make> &deferred) {
  return deferred.make();
}

} // namespace loom

// loom/elementwise.cuh: vectorized elementwise chains over N inputs, the op sequence as a type.
//
// An expression is a type with `static float eval(const float *in)`, where in[k] is input k at the
// current element, as f32:
//   Chain<Ops...>          starts from input 0 and applies Ops left to right
//   ChainFrom<k, Ops...>   starts from input k;  Input<k> = ChainFrom<k>
// Ops (each `static float apply(float value, const float *in)`):
//   Silu, GeluTanh, GeluErf        unary, on the running value
//   CastTo<T>                      rounds the running value to T (bf16/f16/float), as a graph.cast
//   AddWith<k>, MulWith<k>         running value +/* input k
//   AddWithValue<E>, MulWithValue<E>  running value +/* any expression E (a sub-chain), so every
//                                  tree of add/mul/silu/gelu/cast is one type
// Example, Llama's MLP activation silu(gate) * up stored as bf16:
//   loom::elementwise<loom::Chain<loom::Silu, loom::MulWith<1>>, 8, 4>(n, out, gate, up);
//
// Wrapper contract: `extern "C" __global__ __launch_bounds__(THREADS) void f(long long n,
//   Out *out, const In0 *in0, ...)` calling elementwise<Expr, kVec, kUnroll>(n, out, in0, ...);
//   block = (THREADS, 1, 1), grid = (ceil(n / (kVec * kUnroll * THREADS)), 1, 1), no shared memory.
//   n is the element count (dynamic: tokens * hidden). Each pointer is aligned to
//   min(16, kVec * sizeof(its element)) bytes; kVec = 8 gives 16-byte bf16 accesses. Any n works:
//   a final packet shorter than kVec is done element by element.
// Math is f32 (silu: exp2f and __fdividef, a few f32 ulps); the result is rounded once to Out
// (plus wherever the chain says CastTo).
#pragma once

#include "loom/vec.cuh"

namespace loom {

/// Starts from input k, then applies Ops left to right.
template <int k, typename... Ops> struct ChainFrom {
  static __device__ __forceinline__ float eval(const float *in) {
    float value = in[k];
    ((value = Ops::apply(value, in)), ...);
    return value;
  }
};
template <typename... Ops> using Chain = ChainFrom<0, Ops...>;
template <int k> using Input = ChainFrom<k>;

struct Silu {
  static __device__ __forceinline__ float apply(float v, const float *) {
    return __fdividef(v, 1.0f + exp2f(-1.4426950408889634f * v)); // 2-ulp exp2, fast divide
  }
};

/// gelu with the tanh approximation (graph.gelu approximate = "tanh").
struct GeluTanh {
  static __device__ __forceinline__ float apply(float v, const float *) {
    constexpr float kSqrt2OverPi = 0.7978845608028654f;
    return 0.5f * v * (1.0f + tanhf(kSqrt2OverPi * (v + 0.044715f * v * v * v)));
  }
};

/// gelu with erf (graph.gelu approximate = "none").
struct GeluErf {
  static __device__ __forceinline__ float apply(float v, const float *) {
    constexpr float kInvSqrt2 = 0.7071067811865476f;
    return 0.5f * v * (1.0f + erff(v * kInvSqrt2));
  }
};

template <typename T> struct CastTo {
  static __device__ __forceinline__ float apply(float v, const float *) {
    return roundThrough<T>(v);
  }
};

template <typename E> struct AddWithValue {
  static __device__ __forceinline__ float apply(float v, const float *in) {
    return v + E::eval(in);
  }
};
template <typename E> struct MulWithValue {
  static __device__ __forceinline__ float apply(float v, const float *in) {
    return v * E::eval(in);
  }
};
template <int k> using AddWith = AddWithValue<Input<k>>;
template <int k> using MulWith = MulWithValue<Input<k>>;

/// Loads elements [start, min(start + N, n)) of `input` as f32, one at a time; zeros past n.
template <int N, typename T>
__device__ __forceinline__ void loadTail(const T *input, long long start, long long n,
                                         float (&values)[N]) {
#pragma unroll
  for (int i = 0; i < N; ++i)
    values[i] = start + i < n ? toFloat(input[start + i]) : 0.0f;
}

/// Computes kUnroll packets at `starts` (whole packets when kWhole, else guarded by n).
template <typename Expr, int kVec, int kUnroll, bool kWhole, typename Out, typename... Ins>
__device__ __forceinline__ void elementwisePackets(const long long (&starts)[kUnroll], long long n,
                                                   Out *out, const Ins *...ins) {
  constexpr int kInputs = sizeof...(Ins);
  float values[kUnroll][kInputs][kVec];
#pragma unroll
  for (int u = 0; u < kUnroll; ++u) {
    int k = 0;
    if constexpr (kWhole)
      ((loadFloats<kVec>(ins + starts[u], values[u][k++])), ...);
    else
      ((loadTail<kVec>(ins, starts[u], n, values[u][k++])), ...);
  }
#pragma unroll
  for (int u = 0; u < kUnroll; ++u) {
    float result[kVec];
#pragma unroll
    for (int i = 0; i < kVec; ++i) {
      float in[kInputs];
#pragma unroll
      for (int k = 0; k < kInputs; ++k)
        in[k] = values[u][k][i];
      result[i] = Expr::eval(in);
    }
    if constexpr (kWhole) {
      storeFloats<kVec>(out + starts[u], result);
    } else {
#pragma unroll
      for (int i = 0; i < kVec; ++i)
        if (starts[u] + i < n)
          out[starts[u] + i] = fromFloat<Out>(result[i]);
    }
  }
}

/// out[e] = Expr(in0[e], in1[e], ...) for e < n; see the file comment for the launch contract.
/// Every CTA but the last covers whole packets only and takes the unguarded path, all kUnroll
/// packets' loads in flight at once.
template <typename Expr, int kVec, int kUnroll, typename Out, typename... Ins>
__device__ __forceinline__ void elementwise(long long n, Out *out, const Ins *...ins) {
  static_assert(sizeof...(Ins) >= 1, "a chain starts from input 0");
  auto packetStart = [](int u) {
    return ((long long)(blockIdx.x * kUnroll + u) * blockDim.x + threadIdx.x) * kVec;
  };
  const long long ctaEnd = (long long)(blockIdx.x + 1) * kUnroll * blockDim.x * kVec;
  if (ctaEnd <= n) {
    long long starts[kUnroll];
#pragma unroll
    for (int u = 0; u < kUnroll; ++u)
      starts[u] = packetStart(u);
    elementwisePackets<Expr, kVec, kUnroll, true>(starts, n, out, ins...);
  } else {
#pragma unroll 1
    for (int u = 0; u < kUnroll; ++u) { // one packet at a time: few registers for the tail
      const long long start[1] = {packetStart(u)};
      elementwisePackets<Expr, kVec, 1, false>(start, n, out, ins...);
    }
  }
}

} // namespace loom

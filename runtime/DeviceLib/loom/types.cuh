// loom/types.cuh: bf16/f16 storage types and their conversions for NVRTC-compiled kernels.
// Includes nothing from the CUDA toolkit (NVRTC has no built-in cuda_bf16.h), so a deployment
// needs only the driver and libnvrtc. Conversions are inline PTX; rounding is round-to-nearest-even.
#pragma once

namespace loom {

/// bfloat16 stored as its 16 bits (the upper half of an IEEE-754 float).
struct alignas(2) bf16 {
  unsigned short bits;
};
/// IEEE-754 binary16 stored as its 16 bits.
struct alignas(2) f16 {
  unsigned short bits;
};
/// Two bf16 in one 32-bit word; element 0 in the low half.
struct alignas(4) bf16x2 {
  unsigned int bits;
};
/// Two f16 in one 32-bit word; element 0 in the low half.
struct alignas(4) f16x2 {
  unsigned int bits;
};

/// bf16 -> f32 is exact: the bits become the upper half of the float.
__device__ __forceinline__ float toFloat(bf16 x) {
  float result;
  asm("mov.b32 %0, {0, %1};" : "=f"(result) : "h"(x.bits));
  return result;
}

__device__ __forceinline__ float toFloat(f16 x) {
  float result;
  asm("cvt.f32.f16 %0, %1;" : "=f"(result) : "h"(x.bits));
  return result;
}

__device__ __forceinline__ float toFloat(float x) { return x; }

__device__ __forceinline__ bf16 toBf16(float x) {
  bf16 result;
  asm("cvt.rn.bf16.f32 %0, %1;" : "=h"(result.bits) : "f"(x));
  return result;
}

__device__ __forceinline__ f16 toF16(float x) {
  f16 result;
  asm("cvt.rn.f16.f32 %0, %1;" : "=h"(result.bits) : "f"(x));
  return result;
}

/// Packs (lo, hi) into bf16x2 with one cvt.rn.bf16x2.f32.
__device__ __forceinline__ bf16x2 toBf16x2(float lo, float hi) {
  bf16x2 result;
  asm("cvt.rn.bf16x2.f32 %0, %1, %2;" : "=r"(result.bits) : "f"(hi), "f"(lo));
  return result;
}

__device__ __forceinline__ f16x2 toF16x2(float lo, float hi) {
  f16x2 result;
  asm("cvt.rn.f16x2.f32 %0, %1, %2;" : "=r"(result.bits) : "f"(hi), "f"(lo));
  return result;
}

__device__ __forceinline__ bf16 low(bf16x2 x) { return bf16{(unsigned short)(x.bits & 0xffffu)}; }
__device__ __forceinline__ bf16 high(bf16x2 x) { return bf16{(unsigned short)(x.bits >> 16)}; }
__device__ __forceinline__ f16 low(f16x2 x) { return f16{(unsigned short)(x.bits & 0xffffu)}; }
__device__ __forceinline__ f16 high(f16x2 x) { return f16{(unsigned short)(x.bits >> 16)}; }

/// Converts f32 to a storage type chosen at compile time: `fromFloat<bf16>(x)`.
template <typename T> __device__ __forceinline__ T fromFloat(float x);
template <> __device__ __forceinline__ float fromFloat<float>(float x) { return x; }
template <> __device__ __forceinline__ bf16 fromFloat<bf16>(float x) { return toBf16(x); }
template <> __device__ __forceinline__ f16 fromFloat<f16>(float x) { return toF16(x); }

} // namespace loom

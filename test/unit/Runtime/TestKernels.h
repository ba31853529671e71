// Small CUDA sources shared by the runtime tests.
#pragma once

namespace loom::testing {

/// y[i] = a * x[i] + y[i] in f32; also writes each result rounded to bf16 (through f32 again)
/// and the pair (x[i], y[i]) packed as bf16x2, using the embedded device library.
inline constexpr const char *kSaxpySource = R"cuda(
#include "loom/types.cuh"
extern "C" __global__ void __launch_bounds__(256)
saxpy(const float *x, float *y, float *rounded, unsigned *packed, float a, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) {
    float result = a * x[i] + y[i];
    y[i] = result;
    rounded[i] = loom::toFloat(loom::toBf16(result));
    packed[i] = loom::toBf16x2(x[i], result).bits;
  }
}
)cuda";

/// Uses Hopper's wgmma: compiles only for sm_90a.
inline constexpr const char *kWgmmaFenceSource = R"cuda(
extern "C" __global__ void fence_only(int *out) {
  asm volatile("wgmma.fence.sync.aligned;\n" ::: "memory");
  out[threadIdx.x] = 1;
}
)cuda";

/// Does not compile: an undefined identifier.
inline constexpr const char *kBrokenSource = R"cuda(
extern "C" __global__ void broken_kernel(float *y) {
  y[threadIdx.x] = undefined_identifier_xyz;
}
)cuda";

} // namespace loom::testing

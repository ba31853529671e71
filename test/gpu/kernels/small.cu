// Small timing kernel for tools/gpu-check.sh: y = bf16(x * scale + bias), one element per thread.
#include "loom/types.cuh"

extern "C" __global__ void __launch_bounds__(256)
scale_bias_bf16(const loom::bf16 *x, loom::bf16 *y, float scale, float bias, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n)
    y[i] = loom::toBf16(loom::toFloat(x[i]) * scale + bias);
}

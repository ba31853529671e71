// CublasBf16: cuBLAS loaded with dlopen (libcublas.so.13), only the bf16 GEMM the Hopper GEMM is
// measured against: Y[M,N] = X[M,K] W[N,K]^T with f32 accumulation.
#pragma once

#include "runtime/Support/Status.h"

#include <cuda.h>
#include <dlfcn.h>

#include <string>

namespace loom::testing {

class CublasBf16 {
public:
  /// kUnavailable when libcublas cannot be loaded or a handle cannot be created.
  static StatusOr<CublasBf16 *> instance() {
    static CublasBf16 cublas;
    if (!cublas.error_.empty())
      return Status(StatusCode::kUnavailable, cublas.error_);
    return &cublas;
  }

  Status gemm(CUdeviceptr x, CUdeviceptr w, CUdeviceptr y, int M, int N, int K, CUstream stream) {
    if (int status = setStream_(handle_, stream); status != 0)
      return Status(StatusCode::kCudaError, "cublasSetStream failed: " + std::to_string(status));
    const float alpha = 1.0f, beta = 0.0f;
    // Column-major view: Y^T[N,M] = op_T(W as K x N) * X^T (K x M).
    int status = gemmEx_(handle_, kOpT, kOpN, N, M, K, &alpha, reinterpret_cast<void *>(w),
                         kBf16, K, reinterpret_cast<void *>(x), kBf16, K, &beta,
                         reinterpret_cast<void *>(y), kBf16, N, kCompute32F, kGemmDefault);
    if (status != 0)
      return Status(StatusCode::kCudaError, "cublasGemmEx failed: " + std::to_string(status));
    return Status::ok();
  }

private:
  static constexpr int kOpN = 0, kOpT = 1, kBf16 = 14, kCompute32F = 68, kGemmDefault = -1;
  using Create = int (*)(void **);
  using SetStream = int (*)(void *, CUstream);
  using GemmEx = int (*)(void *, int, int, int, int, int, const void *, const void *, int, int,
                         const void *, int, int, const void *, void *, int, int, int, int);

  CublasBf16() {
    void *library = ::dlopen("libcublas.so.13", RTLD_NOW | RTLD_LOCAL);
    if (!library) {
      const char *reason = ::dlerror();
      error_ = std::string("no cuBLAS: ") + (reason ? reason : "libcublas.so.13");
      return;
    }
    auto create = reinterpret_cast<Create>(::dlsym(library, "cublasCreate_v2"));
    setStream_ = reinterpret_cast<SetStream>(::dlsym(library, "cublasSetStream_v2"));
    gemmEx_ = reinterpret_cast<GemmEx>(::dlsym(library, "cublasGemmEx"));
    if (!create || !setStream_ || !gemmEx_) {
      error_ = "libcublas.so.13 lacks cublasCreate_v2, cublasSetStream_v2 or cublasGemmEx";
      return;
    }
    if (int status = create(&handle_); status != 0)
      error_ = "cublasCreate failed: " + std::to_string(status);
  }

  void *handle_ = nullptr;
  SetStream setStream_ = nullptr;
  GemmEx gemmEx_ = nullptr;
  std::string error_;
};

} // namespace loom::testing

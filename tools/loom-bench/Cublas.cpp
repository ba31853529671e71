// cuBLAS through dlopen: only the handful of entry points the baselines need.
#include "tools/loom-bench/Cublas.h"

#include <cublas_v2.h>
#include <dlfcn.h>
#include <fmt/format.h>

namespace loom::bench {

size_t elementBytes(ElementType type) { return type == ElementType::kF32 ? 4 : 2; }

const char *elementTypeName(ElementType type) {
  static constexpr const char *kNames[] = {"bf16", "f16", "f32"};
  return kNames[static_cast<int>(type)];
}

namespace {

cudaDataType_t cudaDataType(ElementType type) {
  static constexpr cudaDataType_t kTypes[] = {CUDA_R_16BF, CUDA_R_16F, CUDA_R_32F};
  return kTypes[static_cast<int>(type)];
}

} // namespace

struct Cublas::Api {
  void *library = nullptr;
  decltype(&cublasCreate_v2) create = nullptr;
  decltype(&cublasDestroy_v2) destroy = nullptr;
  decltype(&cublasSetStream_v2) setStream = nullptr;
  decltype(&cublasGetVersion_v2) getVersion = nullptr;
  // cublasGemmEx is overloaded in C++, so its type is spelled out.
  cublasStatus_t (*gemmEx)(cublasHandle_t, cublasOperation_t, cublasOperation_t, int, int, int,
                           const void *, const void *, cudaDataType_t, int, const void *,
                           cudaDataType_t, int, const void *, void *, cudaDataType_t, int,
                           cublasComputeType_t, cublasGemmAlgo_t) = nullptr;
};

StatusOr<std::unique_ptr<Cublas>> Cublas::load(const rt::Context &context, CUstream stream) {
  LOOM_RETURN_IF_ERROR(context.makeCurrent());
  auto api = std::make_unique<Api>();
  api->library = dlopen("libcublas.so.13", RTLD_NOW | RTLD_LOCAL);
  if (!api->library)
    return Status(StatusCode::kUnavailable, fmt::format("cuBLAS not found: {}", dlerror()));
  auto resolve = [&](auto &slot, const char *symbol) -> Status {
    slot = reinterpret_cast<std::remove_reference_t<decltype(slot)>>(dlsym(api->library, symbol));
    if (!slot)
      return Status(StatusCode::kUnavailable,
                    fmt::format("cuBLAS lacks {}: {}", symbol, dlerror()));
    return Status::ok();
  };
  LOOM_RETURN_IF_ERROR(resolve(api->create, "cublasCreate_v2"));
  LOOM_RETURN_IF_ERROR(resolve(api->destroy, "cublasDestroy_v2"));
  LOOM_RETURN_IF_ERROR(resolve(api->setStream, "cublasSetStream_v2"));
  LOOM_RETURN_IF_ERROR(resolve(api->getVersion, "cublasGetVersion_v2"));
  LOOM_RETURN_IF_ERROR(resolve(api->gemmEx, "cublasGemmEx"));

  std::unique_ptr<Cublas> cublas(new Cublas());
  cublasHandle_t handle = nullptr;
  if (cublasStatus_t status = api->create(&handle); status != CUBLAS_STATUS_SUCCESS)
    return Status(StatusCode::kUnavailable,
                  fmt::format("cublasCreate failed with status {}", int(status)));
  cublas->handle_ = handle;
  cublas->api_ = std::move(api);
  if (cublas->api_->setStream(handle, reinterpret_cast<cudaStream_t>(stream)) !=
      CUBLAS_STATUS_SUCCESS)
    return Status(StatusCode::kUnavailable, "cublasSetStream failed");
  int version = 0;
  cublas->api_->getVersion(handle, &version);
  cublas->version_ = fmt::format("{}.{}.{}", version / 10000, version / 100 % 100, version % 100);
  return cublas;
}

Cublas::~Cublas() {
  if (handle_)
    api_->destroy(static_cast<cublasHandle_t>(handle_));
}

Status Cublas::linear(uint64_t x, uint64_t w, uint64_t y, int m, int n, int k,
                      ElementType input, ElementType output) {
  // Column-major view: Y^T[N,M] = W[N,K] · X^T[K,M], i.e. op(A)=W^T-stored-as-KxN transposed.
  const float alpha = 1.0f, beta = 0.0f;
  cublasStatus_t status = api_->gemmEx(
      static_cast<cublasHandle_t>(handle_), CUBLAS_OP_T, CUBLAS_OP_N, n, m, k, &alpha,
      reinterpret_cast<const void *>(w), cudaDataType(input), k,
      reinterpret_cast<const void *>(x), cudaDataType(input), k, &beta,
      reinterpret_cast<void *>(y), cudaDataType(output), n, CUBLAS_COMPUTE_32F,
      CUBLAS_GEMM_DEFAULT);
  if (status != CUBLAS_STATUS_SUCCESS)
    return Status(StatusCode::kCudaError,
                  fmt::format("cublasGemmEx(M={}, N={}, K={}) failed with status {}", m, n, k,
                              int(status)));
  return Status::ok();
}

} // namespace loom::bench

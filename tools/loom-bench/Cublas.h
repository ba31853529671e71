// Cublas: cuBLAS loaded with dlopen at run time (libcublas.so.13), so loom-bench starts on machines
// without it and reports the baseline as absent instead of failing to load.
#pragma once

#include "runtime/CUDA/Context.h"

#include <cstdint>
#include <memory>
#include <string>

namespace loom::bench {

/// Element types of benchmark tensors.
enum class ElementType { kBf16, kF16, kF32 };
size_t elementBytes(ElementType type);
const char *elementTypeName(ElementType type);

/// A cuBLAS handle bound to one stream.
class Cublas {
public:
  /// kUnavailable "cuBLAS not found: ..." when libcublas.so.13 cannot be opened or lacks a symbol.
  static StatusOr<std::unique_ptr<Cublas>> load(const rt::Context &context, CUstream stream);
  ~Cublas();
  Cublas(const Cublas &) = delete;
  Cublas &operator=(const Cublas &) = delete;

  /// Y[M,N] = X[M,K] · W[N,K]^T with row-major X, W (nn.Linear layout) and Y, f32 accumulation.
  /// `input` is the type of X and W; `output` that of Y.
  Status linear(uint64_t x, uint64_t w, uint64_t y, int m, int n, int k, ElementType input,
                ElementType output);

  /// "13.0.x" as cuBLAS reports it.
  const std::string &version() const { return version_; }

private:
  struct Api;
  Cublas() = default;
  std::unique_ptr<Api> api_;
  void *handle_ = nullptr;
  std::string version_;
};

} // namespace loom::bench

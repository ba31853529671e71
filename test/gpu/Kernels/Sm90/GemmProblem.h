// GemmProblem: random bf16 operands of one GEMM shape on host and device, and the check of a
// device result against a CPU f64 reference from the same bf16 values (sampled rows when large).
// With two weights per output W is [gate; up] ([2N, K]) and Y = silu(X gate^T) * (X up^T).
#pragma once

#include "test/gpu/GpuTestSupport.h"
#include "runtime/CUDA/CudaMemory.h"
#include "runtime/CUDA/DeviceAllocator.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <set>
#include <string>
#include <thread>

namespace loom::testing {

/// How far a result is from the reference.
struct GemmError {
  double relativeL2 = 0;     ///< ||y - ref|| / ||ref|| over the checked rows
  int badElements = 0;       ///< outside |y - ref| <= 2^-7 |ref| + 1e-2, or NaN
  int unwritten = 0;         ///< elements of Y still holding the NaN poison, over all rows
  int guardOverwritten = 0;  ///< elements written past the end of Y
  std::string firstBad;
};

class GemmProblem {
public:
  static constexpr size_t kGuardElements = 4096;
  static constexpr uint16_t kPoison = 0xffff; ///< a bf16 NaN

  GemmProblem(int M, int N, int K, uint32_t seed, int weightsPerOutput = 1)
      : M(M), N(N), K(K), weightsPerOutput(weightsPerOutput), seed_(seed) {}

  /// Fills X, W and bias with random bf16 (never zeros) and uploads them; Y is poisoned.
  Status upload(rt::DeviceAllocator &allocator, const rt::Stream &stream) {
    x_ = randomBf16(size_t(M) * K, seed_);
    w_ = randomBf16(size_t(weightsPerOutput) * N * K, seed_ + 1);
    bias_ = randomBf16(N, seed_ + 2);
    LOOM_ASSIGN_OR_RETURN(xDevice_, allocator.allocate(std::max<size_t>(x_.size(), 8) * 2));
    LOOM_ASSIGN_OR_RETURN(wDevice_, allocator.allocate(w_.size() * 2));
    LOOM_ASSIGN_OR_RETURN(biasDevice_, allocator.allocate(bias_.size() * 2));
    LOOM_ASSIGN_OR_RETURN(yDevice_, allocator.allocate((size_t(M) * N + kGuardElements) * 2));
    LOOM_RETURN_IF_ERROR(stream.copyToDevice(xDevice_->address(), x_.data(), x_.size() * 2));
    LOOM_RETURN_IF_ERROR(stream.copyToDevice(wDevice_->address(), w_.data(), w_.size() * 2));
    LOOM_RETURN_IF_ERROR(
        stream.copyToDevice(biasDevice_->address(), bias_.data(), bias_.size() * 2));
    LOOM_RETURN_IF_ERROR(poisonY(stream));
    return stream.synchronize();
  }

  Status poisonY(const rt::Stream &stream) const {
    return stream.fill(yDevice_->address(), 0xff, (size_t(M) * N + kGuardElements) * 2);
  }

  CUdeviceptr x() const { return xDevice_->address(); }
  CUdeviceptr w() const { return wDevice_->address(); }
  CUdeviceptr y() const { return yDevice_->address(); }
  CUdeviceptr bias() const { return biasDevice_->address(); }

  /// Rows checked against the reference: all up to 256, else edges of tiles, the last rows and
  /// a few random ones.
  std::vector<int> checkedRows() const {
    if (M <= 256) {
      std::vector<int> all(M);
      for (int row = 0; row < M; ++row)
        all[row] = row;
      return all;
    }
    std::set<int> rows = {0, 1, 63, 64, 127, 128, 191, M / 2, M - 129, M - 65, M - 2, M - 1};
    std::mt19937 generator(seed_ + 3);
    while (rows.size() < 18)
      rows.insert(int(generator() % uint32_t(M)));
    return {rows.begin(), rows.end()};
  }

  /// Downloads Y and compares it with the f64 reference of the checked rows (with bias if asked).
  StatusOr<GemmError> check(const rt::Stream &stream, bool withBias) const {
    std::vector<uint16_t> y(size_t(M) * N + kGuardElements);
    LOOM_RETURN_IF_ERROR(stream.copyToHost(y.data(), yDevice_->address(), y.size() * 2));
    LOOM_RETURN_IF_ERROR(stream.synchronize());
    GemmError error;
    for (size_t i = 0; i < size_t(M) * N; ++i)
      error.unwritten += y[i] == kPoison;
    for (size_t i = size_t(M) * N; i < y.size(); ++i)
      error.guardOverwritten += y[i] != kPoison;

    const std::vector<int> rows = checkedRows();
    std::vector<double> reference = referenceRows(rows, withBias);
    double errorSquares = 0, referenceSquares = 0;
    for (size_t r = 0; r < rows.size(); ++r) {
      for (int col = 0; col < N; ++col) {
        const double expected = reference[r * N + col];
        const double actual = bf16ToFloat(y[size_t(rows[r]) * N + col]);
        errorSquares += (actual - expected) * (actual - expected);
        referenceSquares += expected * expected;
        if (!(std::fabs(actual - expected) <= std::fabs(expected) / 128 + 1e-2)) {
          if (error.badElements++ == 0)
            error.firstBad = fmt::format("Y[{}][{}] = {} expected {}", rows[r], col, actual,
                                         expected);
        }
      }
    }
    error.relativeL2 = std::sqrt(errorSquares / std::max(referenceSquares, 1e-30));
    return error;
  }

  const int M, N, K, weightsPerOutput;

private:
  static std::vector<uint16_t> randomBf16(size_t count, uint32_t seed) {
    std::vector<float> values = randomFloats(count, seed);
    std::vector<uint16_t> bits(count);
    for (size_t i = 0; i < count; ++i)
      bits[i] = bf16Bits(values[i]);
    return bits;
  }

  /// reference[r][col] = sum_k X[rows[r]][k] W[col][k] (+ bias[col]) in f64, gated when W has
  /// two weights per output; columns split across threads.
  std::vector<double> referenceRows(const std::vector<int> &rows, bool withBias) const {
    std::vector<double> reference(rows.size() * N);
    std::vector<double> xRows(rows.size() * K);
    for (size_t r = 0; r < rows.size(); ++r)
      for (int k = 0; k < K; ++k)
        xRows[r * K + k] = bf16ToFloat(x_[size_t(rows[r]) * K + k]);
    const int workers = int(std::clamp(std::thread::hardware_concurrency(), 1u, 16u));
    std::vector<std::thread> threads;
    for (int worker = 0; worker < workers; ++worker) {
      threads.emplace_back([&, worker] {
        std::vector<double> wRows(size_t(weightsPerOutput) * K);
        for (int col = worker; col < N; col += workers) {
          for (int g = 0; g < weightsPerOutput; ++g)
            for (int k = 0; k < K; ++k)
              wRows[size_t(g) * K + k] = bf16ToFloat(w_[(size_t(g) * N + col) * K + k]);
          for (size_t r = 0; r < rows.size(); ++r) {
            double sums[2] = {0, 0};
            for (int g = 0; g < weightsPerOutput; ++g)
              for (int k = 0; k < K; ++k)
                sums[g] += xRows[r * K + k] * wRows[size_t(g) * K + k];
            double value = weightsPerOutput == 2 ? sums[0] / (1 + std::exp(-sums[0])) * sums[1]
                                                 : sums[0];
            reference[r * N + col] = value + (withBias ? bf16ToFloat(bias_[col]) : 0.0);
          }
        }
      });
    }
    for (std::thread &thread : threads)
      thread.join();
    return reference;
  }

  uint32_t seed_;
  std::vector<uint16_t> x_, w_, bias_;
  std::optional<rt::DeviceBuffer> xDevice_, wDevice_, biasDevice_, yDevice_;
};

} // namespace loom::testing

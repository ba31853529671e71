// LinearProblem: random operands of one linear (GEMM or decode GEMV, with prologue, gating and
// epilogue) on host and device, and the check of the device result against a CPU f64 reference
// computed from the same rounded inputs. Usable by any kernel family with a Y = f(X · W^T) shape.
#pragma once

#include "test/gpu/GpuTestSupport.h"
#include "test/gpu/Kernels/Gemm/LinearKernelSource.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <set>
#include <string>

namespace loom::testing {

/// Host value of a 16-bit or 32-bit storage type, rounded to nearest even.
struct StorageType {
  std::string name; ///< bf16 | f16 | float
  size_t bytes() const { return name == "float" ? 4 : 2; }

  float round(float value) const {
    if (name == "bf16")
      return bf16ToFloat(bf16Bits(value));
    if (name == "f16")
      return float(static_cast<_Float16>(value));
    return value;
  }
  /// Appends the storage bytes of `value` (already representable) to `out`.
  void append(float value, std::vector<unsigned char> &out) const {
    unsigned char bytes[4];
    if (name == "bf16") {
      uint16_t bits = bf16Bits(value);
      std::memcpy(bytes, &bits, 2);
    } else if (name == "f16") {
      _Float16 half = static_cast<_Float16>(value);
      std::memcpy(bytes, &half, 2);
    } else {
      std::memcpy(bytes, &value, 4);
    }
    out.insert(out.end(), bytes, bytes + this->bytes());
  }
  /// Reads element `index` of a storage buffer; NaN stays NaN.
  double read(const std::vector<unsigned char> &buffer, size_t index) const {
    if (name == "float") {
      float value;
      std::memcpy(&value, buffer.data() + 4 * index, 4);
      return value;
    }
    uint16_t bits;
    std::memcpy(&bits, buffer.data() + 2 * index, 2);
    if (name == "bf16")
      return bf16ToFloat(bits);
    _Float16 half;
    std::memcpy(&half, &bits, 2);
    return double(half);
  }
};

/// How far a device result is from the reference over the checked rows.
struct LinearError {
  double relativeL2 = 0;
  size_t checked = 0;
  size_t bad = 0;       ///< outside atol + rtol * |ref|, or NaN
  size_t unwritten = 0; ///< poisoned (NaN) elements anywhere in Y
  std::string firstBad;
};

/// Device memory freed on destruction.
class DeviceBytes {
public:
  DeviceBytes(const rt::Context &context, size_t bytes) : context_(context) {
    status_ = context.api().cuMemAlloc(&address_, std::max<size_t>(bytes, 16)) == CUDA_SUCCESS
                  ? Status::ok()
                  : Status(StatusCode::kOutOfMemory, fmt::format("cuMemAlloc({})", bytes));
  }
  ~DeviceBytes() {
    if (address_)
      context_.api().cuMemFree(address_);
  }
  DeviceBytes(const DeviceBytes &) = delete;
  DeviceBytes &operator=(const DeviceBytes &) = delete;
  uint64_t address() const { return address_; }
  const Status &status() const { return status_; }

private:
  const rt::Context &context_;
  CUdeviceptr address_ = 0;
  Status status_;
};

class LinearProblem {
public:
  LinearProblem(const LinearKernelSpec &spec, int m, int n, int k, uint32_t seed)
      : spec_(spec), m_(m), n_(n), k_(k), in_{spec.input}, out_{spec.output} {
    x_ = randomRounded(size_t(m) * k, seed, 1.0f);
    w_ = randomRounded(size_t(spec.weightsPerOutput()) * n * k, seed + 1,
                       1.0f / std::sqrt(float(k)) * 1.7f);
    bias_ = randomRounded(n, seed + 2, 0.5f);
    if (spec.has(EpiloguePart::kResidual))
      residual_ = randomRounded(size_t(m) * n, seed + 3, 1.0f);
  }

  /// Uploads the operands, poisons Y with NaN, launches the wrapper and downloads Y.
  Status run(const rt::Context &context, rt::Kernel &kernel, const rt::Stream &stream) {
    DeviceBytes x(context, x_.size() * in_.bytes()), w(context, w_.size() * in_.bytes());
    DeviceBytes bias(context, bias_.size() * in_.bytes());
    DeviceBytes residual(context, residual_.size() * in_.bytes());
    const size_t yBytes = size_t(m_) * n_ * out_.bytes();
    DeviceBytes y(context, yBytes);
    for (const DeviceBytes *buffer : {&x, &w, &bias, &residual, &y})
      LOOM_RETURN_IF_ERROR(buffer->status());
    LOOM_RETURN_IF_ERROR(upload(stream, x, x_));
    LOOM_RETURN_IF_ERROR(upload(stream, w, w_));
    LOOM_RETURN_IF_ERROR(upload(stream, bias, bias_));
    LOOM_RETURN_IF_ERROR(upload(stream, residual, residual_));
    LOOM_RETURN_IF_ERROR(stream.fill(y.address(), 0xff, yBytes));

    LinearOperands operands{x.address(), w.address(), bias.address(), residual.address(),
                            y.address(), m_, n_, k_, kEps};
    LOOM_RETURN_IF_ERROR(encodeSkinnyOperands(context.api(), spec_, operands));
    rt::KernelArgs args;
    addLinearArgs(spec_, operands, args);
    LOOM_RETURN_IF_ERROR(
        rt::launchKernel(kernel, linearLaunch(spec_, m_, n_), args, stream.handle()));
    y_.resize(yBytes);
    LOOM_RETURN_IF_ERROR(stream.copyToHost(y_.data(), y.address(), yBytes));
    return stream.synchronize();
  }

  /// Compares `rows` rows of Y (all rows when empty) with the reference; counts poison in all Y.
  LinearError check(std::vector<int> rows = {}) const {
    if (rows.empty())
      for (int row = 0; row < m_; ++row)
        rows.push_back(row);
    const bool exactOut = out_.name == "float";
    const double rtol = exactOut ? 1e-3 : 1.0 / 128, atol = exactOut ? 1e-4 : 1e-2;
    LinearError error;
    for (size_t i = 0; i < size_t(m_) * n_; ++i)
      error.unwritten += std::isnan(out_.read(y_, i));
    double diff2 = 0, ref2 = 0;
    for (int row : rows)
      for (int col = 0; col < n_; ++col) {
        double expected = reference(row, col);
        double actual = out_.read(y_, size_t(row) * n_ + col);
        double diff = actual - expected;
        diff2 += diff * diff;
        ref2 += expected * expected;
        ++error.checked;
        if (!(std::abs(diff) <= atol + rtol * std::abs(expected))) {
          if (error.bad++ == 0)
            error.firstBad = fmt::format("Y[{}][{}] = {} but the reference is {}", row, col,
                                         actual, expected);
        }
      }
    error.relativeL2 = std::sqrt(diff2 / std::max(ref2, 1e-30));
    return error;
  }

  /// Rows 0..3, the last 4 and `count` seeded rows between: for checking large M.
  std::vector<int> sampledRows(int count, uint32_t seed) const {
    std::set<int> rows;
    for (int i = 0; i < std::min(m_, 4); ++i) {
      rows.insert(i);
      rows.insert(m_ - 1 - i);
    }
    std::mt19937 generator(seed);
    for (int i = 0; i < count; ++i)
      rows.insert(int(generator() % uint32_t(m_)));
    return {rows.begin(), rows.end()};
  }

  /// f64 reference of Y[row][col] from the rounded operands, following the spec.
  double reference(int row, int col) const {
    const float *xRow = &x_[size_t(row) * k_];
    auto dot = [&](size_t wRow) {
      double sum = 0;
      const float *weights = &w_[wRow * k_];
      for (int k = 0; k < k_; ++k)
        sum += double(xRow[k]) * weights[k];
      return sum;
    };
    double scale = 1.0;
    if (spec_.rmsNorm) {
      double squares = 0;
      for (int k = 0; k < k_; ++k)
        squares += double(xRow[k]) * xRow[k];
      scale = 1.0 / std::sqrt(squares / k_ + kEps);
    }
    double value = dot(col) * scale;
    if (spec_.gated)
      value = silu(value) * dot(size_t(n_) + col) * scale;
    for (EpiloguePart part : spec_.parts) {
      switch (part) {
      case EpiloguePart::kBias: value += bias_[col]; break;
      case EpiloguePart::kResidual: value += residual_[size_t(row) * n_ + col]; break;
      case EpiloguePart::kSilu: value = silu(value); break;
      case EpiloguePart::kGeluTanh:
        value = 0.5 * value *
                (1 + std::tanh(0.7978845608028654 * (value + 0.044715 * value * value * value)));
        break;
      case EpiloguePart::kGeluErf: value = 0.5 * value * (1 + std::erf(value / std::sqrt(2.0))); break;
      }
    }
    return value;
  }

  /// Y as downloaded by the last run (storage bytes, row-major).
  const std::vector<unsigned char> &output() const { return y_; }

  static constexpr float kEps = 1e-5f;

private:
  static double silu(double v) { return v / (1 + std::exp(-v)); }

  std::vector<float> randomRounded(size_t count, uint32_t seed, float scale) const {
    std::vector<float> values = randomFloats(count, seed);
    for (float &value : values)
      value = in_.round(value * scale);
    return values;
  }
  Status upload(const rt::Stream &stream, const DeviceBytes &target,
                const std::vector<float> &values) {
    std::vector<unsigned char> bytes;
    bytes.reserve(values.size() * in_.bytes());
    for (float value : values)
      in_.append(value, bytes);
    LOOM_RETURN_IF_ERROR(stream.copyToDevice(target.address(), bytes.data(), bytes.size()));
    return stream.synchronize();
  }

  const LinearKernelSpec &spec_;
  int m_, n_, k_;
  StorageType in_, out_;
  std::vector<float> x_, w_, bias_, residual_;
  std::vector<unsigned char> y_;
};

} // namespace loom::testing

// Reference matrix products: a plain triple loop per output row.
#include "frontend/Reference/Gemm.h"

#include "frontend/Reference/RowParallel.h"
#include "frontend/Reference/TensorChecks.h"

#include <fmt/format.h>

namespace loom::ref {
namespace {

Status invalid(std::string message) {
  return LOOM_ERROR(StatusCode::kInvalidArgument, std::move(message));
}

Status checkLinear(const HostTensor &input, const HostTensor &weight, const HostTensor *bias) {
  LOOM_RETURN_IF_ERROR(expectFloat(input, "linear input"));
  if (input.rank() < 1)
    return invalid("linear input must not be a scalar");
  LOOM_RETURN_IF_ERROR(expectRank(weight, 2, "linear weight"));
  if (weight.type() != input.type() || weight.dim(1) != input.dim(-1))
    return invalid(fmt::format("linear weight {} must be [out, {}] of the input's type {}",
                               weight.typeString(), input.dim(-1), input.typeString()));
  if (bias && (bias->type() != input.type() || bias->rank() != 1 || bias->dim(0) != weight.dim(0)))
    return invalid(fmt::format("linear bias {} must be [{}] of the input's element type",
                               bias->typeString(), weight.dim(0)));
  return Status::ok();
}

} // namespace

StatusOr<HostTensor> linear(const HostTensor &input, const HostTensor &weight,
                            const HostTensor *bias, ThreadPool *pool) {
  LOOM_RETURN_IF_ERROR(checkLinear(input, weight, bias));
  Shape shape = input.shape();
  shape.back() = weight.dim(0);
  HostTensor result = HostTensor::zeros(input.type(), shape);
  parallelForRows(pool, input.numRows(), [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      auto x = input.row(r);
      auto y = result.row(r);
      for (int64_t n = 0; n < weight.dim(0); ++n) {
        auto w = weight.row(n);
        double sum = bias ? bias->floats()[n] : 0.0;
        for (size_t k = 0; k < x.size(); ++k)
          sum += static_cast<double>(x[k]) * w[k];
        y[n] = static_cast<float>(sum);
      }
    }
  });
  result.roundToStorage();
  return result;
}

StatusOr<HostTensor> matmul(const HostTensor &lhs, const HostTensor &rhs, ThreadPool *pool) {
  LOOM_RETURN_IF_ERROR(expectFloat(lhs, "matmul lhs"));
  int64_t rank = lhs.rank();
  if (rank < 2 || rhs.rank() != rank || rhs.type() != lhs.type())
    return invalid(fmt::format("matmul operands {} and {} must share a rank >= 2 and a type",
                               lhs.typeString(), rhs.typeString()));
  for (int64_t d = 0; d + 2 < rank; ++d)
    if (lhs.dim(d) != rhs.dim(d))
      return invalid(fmt::format("matmul batch dimension {} differs: {} vs {}", d, lhs.dim(d),
                                 rhs.dim(d)));
  int64_t m = lhs.dim(-2), k = lhs.dim(-1), n = rhs.dim(-1);
  if (rhs.dim(-2) != k)
    return invalid(fmt::format("matmul contraction dimensions differ: {} vs {}", k, rhs.dim(-2)));
  Shape shape = lhs.shape();
  shape.back() = n;
  HostTensor result = HostTensor::zeros(lhs.type(), shape);
  auto b = rhs.floats();
  parallelForRows(pool, lhs.numRows(), [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      const float *bMatrix = b.data() + (r / m) * k * n;
      auto a = lhs.row(r);
      auto c = result.row(r);
      for (int64_t col = 0; col < n; ++col) {
        double sum = 0.0;
        for (int64_t i = 0; i < k; ++i)
          sum += static_cast<double>(a[i]) * bMatrix[i * n + col];
        c[col] = static_cast<float>(sum);
      }
    }
  });
  result.roundToStorage();
  return result;
}

} // namespace loom::ref

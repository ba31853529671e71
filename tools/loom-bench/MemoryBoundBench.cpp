// loom-bench cases of the memory-bound families: fused add + RMSNorm, silu(a)*b and RMSNorm, bf16,
// at 16384x4096 and at decode shapes, against a device-to-device copy of the same bytes.
#include "test/gpu/Kernels/MemoryBound/MemoryBoundKernels.h"
#include "tools/loom-bench/BenchCase.h"
#include "tools/loom-bench/BenchSession.h"

#include <fmt/format.h>

namespace loom::bench {
namespace {

using testing::DType;
using testing::KernelSpec;

/// (rows, hidden) pairs: the prefill shape of the issue, then decode batches.
struct Shape {
  int rows, hidden;
};
constexpr Shape kShapes[] = {{16384, 4096}, {1, 2048},  {1, 4096},  {1, 8192},  {16, 2048},
                             {16, 4096},    {16, 8192}, {64, 2048}, {64, 4096}, {64, 8192}};

/// A kernel with `tensors` [rows, hidden] bf16 operands (the first `inputs` read, the rest
/// written) plus a [hidden] bf16 weight when `weighted`.
struct MemoryBoundCase {
  const char *name;
  int inputs, outputs;
  bool weighted;
  KernelSpec (*kernel)(int hidden);
  bool perElement; ///< the launch covers elements (chains) rather than rows
};

KernelSpec addRmsNormKernel(int hidden) {
  return testing::normKernel({testing::NormKind::kAddRms, DType::kBf16, DType::kBf16, hidden});
}
KernelSpec rmsNormKernel(int hidden) {
  return testing::normKernel({testing::NormKind::kRms, DType::kBf16, DType::kBf16, hidden});
}
KernelSpec siluMulKernel(int) {
  return testing::chainKernel({"silu_mul_bf16", "loom::Chain<loom::Silu, loom::MulWith<1>>",
                               {DType::kBf16, DType::kBf16}, DType::kBf16});
}

/// Times one case at every shape, with buffer sets rotated so large shapes miss the L2, and a
/// copy of the same bytes (half read, half written) as the baseline.
Status runMemoryBoundCase(BenchSession &session, const MemoryBoundCase &which) {
  for (const Shape &shape : kShapes) {
    const KernelSpec spec = which.kernel(shape.hidden);
    LOOM_ASSIGN_OR_RETURN(BenchKernel kernel, session.compile(spec.name, spec.wrapper));
    const size_t elements = size_t(shape.rows) * shape.hidden;
    const size_t tensorBytes = elements * 2;
    const int tensors = which.inputs + which.outputs;
    const double bytes = double(tensorBytes) * tensors + (which.weighted ? shape.hidden * 2 : 0);
    const int copies = std::min(session.rotationCopies(size_t(bytes)), 64);
    std::vector<std::vector<rt::DeviceBuffer>> sets(copies);
    for (int c = 0; c < copies; ++c)
      for (int t = 0; t < tensors; ++t) {
        LOOM_ASSIGN_OR_RETURN(rt::DeviceBuffer buffer,
                              session.randomBuffer(elements, ElementType::kBf16, 7 * c + t));
        sets[c].push_back(std::move(buffer));
      }
    LOOM_ASSIGN_OR_RETURN(rt::DeviceBuffer weight,
                          session.randomBuffer(shape.hidden, ElementType::kBf16, 99));
    const long long units = which.perElement ? (long long)elements : shape.rows;
    LOOM_ASSIGN_OR_RETURN(double milliseconds, session.medianMilliseconds([&](int iteration) {
      const std::vector<rt::DeviceBuffer> &set = sets[iteration % copies];
      rt::KernelArgs args;
      if (which.perElement)
        args.add((long long)elements).add(set[2].address());
      for (int t = 0; t < which.inputs; ++t)
        args.add(set[t].address());
      if (which.weighted)
        args.add(weight.address());
      if (!which.perElement) {
        for (int t = which.inputs; t < tensors; ++t)
          args.add(set[t].address());
        args.add(shape.rows);
      }
      return session.launch(*kernel.kernel, spec.launch(units), args);
    }));
    // The copy baseline moves bytes / 2 from one buffer of the set into another.
    const size_t copyBytes = size_t(bytes / 2);
    std::vector<rt::DeviceBuffer> copySources, copyTargets;
    for (int c = 0; c < copies; ++c) {
      LOOM_ASSIGN_OR_RETURN(rt::DeviceBuffer source, session.allocate(copyBytes));
      LOOM_ASSIGN_OR_RETURN(rt::DeviceBuffer target, session.allocate(copyBytes));
      copySources.push_back(std::move(source));
      copyTargets.push_back(std::move(target));
    }
    LOOM_ASSIGN_OR_RETURN(double copyMilliseconds, session.medianMilliseconds([&](int iteration) {
      const int c = iteration % copies;
      return session.stream().copyDeviceToDevice(copyTargets[c].address(),
                                                 copySources[c].address(), copyBytes);
    }));
    BenchResult result;
    result.family = "membound";
    result.name = which.name;
    result.shape = fmt::format("{}x{} bf16", shape.rows, shape.hidden);
    result.milliseconds = milliseconds;
    result.bytes = bytes;
    result.baseline = "D2D copy, same bytes";
    result.baselineMilliseconds = copyMilliseconds;
    result.note = fmt::format("{} buffer sets rotated", copies);
    session.report(result);
  }
  return Status::ok();
}

Status runAddRmsNorm(BenchSession &session) {
  return runMemoryBoundCase(session, {"add_rms_norm", 2, 2, true, addRmsNormKernel, false});
}
Status runSiluMul(BenchSession &session) {
  return runMemoryBoundCase(session, {"silu_mul", 2, 1, false, siluMulKernel, true});
}
Status runRmsNorm(BenchSession &session) {
  return runMemoryBoundCase(session, {"rms_norm", 1, 1, true, rmsNormKernel, false});
}

const BenchCase kMemoryBoundCases[] = {
    {"membound", "add_rms_norm", "fused residual add + RMSNorm bf16 vs a copy of the same bytes",
     runAddRmsNorm},
    {"membound", "rms_norm", "RMSNorm bf16 (PyTorch eager 0.26 TB/s at 16384x4096)", runRmsNorm},
    {"membound", "silu_mul", "silu(a) * b bf16 vs a copy of the same bytes", runSiluMul},
};
LOOM_BENCH_CASES(kMemoryBoundCases);

} // namespace
} // namespace loom::bench

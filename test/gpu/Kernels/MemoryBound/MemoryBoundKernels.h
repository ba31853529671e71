// The memory-bound kernel wrappers exactly as the CUDA emitter writes them, with the launch
// configuration it would choose; shared by the GPU tests, the NVRTC compile test and loom-bench.
#pragma once

#include "runtime/CUDA/Launch.h"

#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <vector>

namespace loom::testing {

/// Storage types of the device library, with their CUDA spelling.
enum class DType { kBf16, kF16, kF32 };

struct DTypeInfo {
  DType type;
  const char *cuda;  ///< "loom::bf16"
  const char *short_; ///< "bf16", used in kernel names
  int bytes;
};

inline const DTypeInfo &dtypeInfo(DType type) {
  static const DTypeInfo kTable[] = {
      {DType::kBf16, "loom::bf16", "bf16", 2},
      {DType::kF16, "loom::f16", "f16", 2},
      {DType::kF32, "float", "f32", 4},
  };
  return kTable[static_cast<int>(type)];
}

/// One emitted kernel: its name, its `extern "C"` wrapper, and the launch formula
/// grid = ceil(units / unitsPerCta), block = threads (units: rows, or elements for chains).
struct KernelSpec {
  std::string name;
  std::string wrapper;
  int threads = 0;
  long long unitsPerCta = 1;

  rt::LaunchConfig launch(long long units) const {
    const long long blocks = std::max(1LL, (units + unitsPerCta - 1) / unitsPerCta);
    return rt::LaunchConfig{{unsigned(blocks), 1, 1}, {unsigned(threads), 1, 1}, 0};
  }
};

/// What the emitter picks for a row of `width` elements of `bytes` each: the widest packet of at
/// most 16 bytes that divides the row, about `packetsPerThread` packets per thread (a power of
/// two up to 1024 threads per row), and enough rows per CTA to reach `ctaThreads`.
struct RowLaunch {
  int vec, threadsPerRow, rowsPerCta;
};
inline RowLaunch chooseRowLaunch(int width, int bytes, int packetsPerThread = 4,
                                 int ctaThreads = 128) {
  int vec = 16 / bytes;
  while (width % vec != 0)
    vec /= 2;
  const int packets = width / vec;
  int threadsPerRow = 1;
  while (threadsPerRow < 1024 && threadsPerRow * packetsPerThread < packets)
    threadsPerRow *= 2;
  return {vec, threadsPerRow, std::max(1, ctaThreads / threadsPerRow)};
}

/// A C++ float literal that reads back as exactly `value` ("500000.000f", "1.00000001e-05f").
inline std::string floatLiteral(float value) { return fmt::format("{:#.9g}f", value); }

/// Assembles `extern "C" __global__ __launch_bounds__(threads) void name(params) { body; }`.
inline std::string wrapperSource(const std::string &include, const std::string &name,
                                 int threads, const std::string &params,
                                 const std::string &body) {
  return fmt::format("#include \"loom/{}\"\n"
                     "extern \"C\" __global__ __launch_bounds__({}) void {}({}) {{\n"
                     "  {};\n}}\n",
                     include, threads, name, params, body);
}

// ---- norms ---------------------------------------------------------------------------------

enum class NormKind { kRms, kAddRms, kLayer, kLayerBias };

struct NormSpec {
  NormKind kind;
  DType io;     ///< x, residual and out
  DType weight; ///< weight and bias
  int hidden;
};

inline KernelSpec normKernel(const NormSpec &spec, float eps = 1e-5f) {
  const RowLaunch launch = chooseRowLaunch(spec.hidden, dtypeInfo(spec.io).bytes);
  const char *t = dtypeInfo(spec.io).cuda, *w = dtypeInfo(spec.weight).cuda;
  static const char *kNames[] = {"rms_norm", "add_rms_norm", "layer_norm", "layer_norm_bias"};
  KernelSpec kernel;
  kernel.name = fmt::format("{}_{}_w{}_h{}", kNames[int(spec.kind)], dtypeInfo(spec.io).short_,
                            dtypeInfo(spec.weight).short_, spec.hidden);
  kernel.threads = launch.threadsPerRow * launch.rowsPerCta;
  kernel.unitsPerCta = launch.rowsPerCta;
  const std::string shape = fmt::format("{}, {}, {}, {}", spec.hidden, launch.threadsPerRow,
                                        launch.vec, launch.rowsPerCta);
  const std::string epsilon = floatLiteral(eps);
  std::string params, body;
  switch (spec.kind) {
  case NormKind::kRms:
    params = fmt::format("const {0} *x, const {1} *weight, {0} *out, int rows", t, w);
    body = fmt::format("loom::rmsNorm<{0}, {1}, {0}, {2}>(x, weight, out, rows, {3})", t, w,
                       shape, epsilon);
    break;
  case NormKind::kAddRms:
    params = fmt::format("const {0} *x, const {0} *residual, const {1} *weight, "
                         "{0} *residualOut, {0} *out, int rows",
                         t, w);
    body = fmt::format("loom::addRmsNorm<{0}, {1}, {0}, {2}>(x, residual, weight, residualOut, "
                       "out, rows, {3})",
                       t, w, shape, epsilon);
    break;
  case NormKind::kLayer:
  case NormKind::kLayerBias:
    params = fmt::format("const {0} *x, const {1} *weight, const {1} *bias, {0} *out, int rows",
                         t, w);
    body = fmt::format("loom::layerNorm<{0}, {1}, {0}, {2}, {3}>(x, weight, bias, out, rows, {4})",
                       t, w, spec.kind == NormKind::kLayerBias, shape, epsilon);
    break;
  }
  kernel.wrapper = wrapperSource("norm.cuh", kernel.name, kernel.threads, params, body);
  return kernel;
}

// ---- elementwise chains --------------------------------------------------------------------

/// A chain as the emitter spells it: `expr` is the loom:: expression type, `inputs` the input
/// element types (input k is in<k>), `out` the result type.
struct ChainSpec {
  std::string name;
  std::string expr;
  std::vector<DType> inputs;
  DType out;
};

inline KernelSpec chainKernel(const ChainSpec &spec, int threads = 256) {
  int smallest = dtypeInfo(spec.out).bytes;
  for (DType input : spec.inputs)
    smallest = std::min(smallest, dtypeInfo(input).bytes);
  const int vec = 16 / smallest, unroll = 4;
  KernelSpec kernel;
  kernel.name = "chain_" + spec.name;
  kernel.threads = threads;
  kernel.unitsPerCta = (long long)vec * unroll * threads;
  std::string params = fmt::format("long long n, {} *out", dtypeInfo(spec.out).cuda);
  std::string args = "n, out";
  for (size_t k = 0; k < spec.inputs.size(); ++k) {
    params += fmt::format(", const {} *in{}", dtypeInfo(spec.inputs[k]).cuda, k);
    args += fmt::format(", in{}", k);
  }
  kernel.wrapper = wrapperSource(
      "elementwise.cuh", kernel.name, threads, params,
      fmt::format("loom::elementwise<{}, {}, {}>({})", spec.expr, vec, unroll, args));
  return kernel;
}

// ---- embedding, softmax, argmax ------------------------------------------------------------

inline KernelSpec embeddingKernel(DType type, int hidden) {
  const RowLaunch launch = chooseRowLaunch(hidden, dtypeInfo(type).bytes);
  KernelSpec kernel;
  kernel.name = fmt::format("embedding_{}_h{}", dtypeInfo(type).short_, hidden);
  kernel.threads = launch.threadsPerRow * launch.rowsPerCta;
  kernel.unitsPerCta = launch.rowsPerCta;
  const char *t = dtypeInfo(type).cuda;
  kernel.wrapper = wrapperSource(
      "embedding.cuh", kernel.name, kernel.threads,
      fmt::format("const {0} *table, const int *ids, {0} *out, int rows, int vocab, "
                  "int *error",
                  t),
      fmt::format("loom::embedding<{}, {}, {}, {}, {}>(table, ids, out, rows, vocab, error)", t,
                  hidden, launch.threadsPerRow, launch.vec, launch.rowsPerCta));
  return kernel;
}

/// Softmax or argmax over rows of about `cols` elements (the static width the emitter knows);
/// `vec` overrides the packet width (1: the element-by-element path).
inline KernelSpec rowReductionKernel(bool isArgmax, DType in, DType out, int cols, int vec = 0) {
  RowLaunch launch = chooseRowLaunch(cols, dtypeInfo(in).bytes, 8, 256);
  if (vec > 0)
    launch.vec = vec;
  KernelSpec kernel;
  kernel.threads = launch.threadsPerRow * launch.rowsPerCta;
  kernel.unitsPerCta = launch.rowsPerCta;
  const std::string shape =
      fmt::format("{}, {}, {}", launch.threadsPerRow, launch.vec, launch.rowsPerCta);
  const char *t = dtypeInfo(in).cuda;
  if (isArgmax) {
    kernel.name = fmt::format("argmax_{}_c{}_v{}", dtypeInfo(in).short_, cols, launch.vec);
    kernel.wrapper = wrapperSource("argmax.cuh", kernel.name, kernel.threads,
                                   fmt::format("const {} *x, int *out, int rows, int cols", t),
                                   fmt::format("loom::argmax<{}, {}>(x, out, rows, cols)", t,
                                               shape));
  } else {
    const char *o = dtypeInfo(out).cuda;
    kernel.name = fmt::format("softmax_{}_{}_c{}_v{}", dtypeInfo(in).short_,
                              dtypeInfo(out).short_, cols, launch.vec);
    kernel.wrapper = wrapperSource(
        "softmax.cuh", kernel.name, kernel.threads,
        fmt::format("const {} *x, {} *out, int rows, int cols", t, o),
        fmt::format("loom::softmax<{}, {}, {}>(x, out, rows, cols)", t, o, shape));
  }
  return kernel;
}

// ---- rope ----------------------------------------------------------------------------------

/// graph.rope's attributes; factor 0: no Llama-3 scaling.
struct RopeAttributes {
  float theta = 10000.0f;
  float factor = 0.0f, lowFreqFactor = 1.0f, highFreqFactor = 4.0f;
  float originalMaxPosition = 8192.0f;
};

struct RopeSpec {
  DType type;
  bool interleaved;
  int headDim, heads;
  RopeAttributes attributes;
};

inline KernelSpec ropeKernel(const RopeSpec &spec, int rowsPerCta = 4) {
  const int vec = 16 / dtypeInfo(spec.type).bytes;
  const int lanesPerHead = spec.interleaved ? spec.headDim / vec : spec.headDim / 2 / vec;
  const int threads = lanesPerHead * std::min(spec.heads, std::max(1, 256 / lanesPerHead));
  const RopeAttributes &a = spec.attributes;
  KernelSpec kernel;
  kernel.name = fmt::format("rope_{}_{}_d{}_h{}{}", dtypeInfo(spec.type).short_,
                            spec.interleaved ? "interleaved" : "half", spec.headDim, spec.heads,
                            a.factor > 0 ? "_llama3" : "");
  kernel.threads = threads;
  kernel.unitsPerCta = rowsPerCta;
  const char *t = dtypeInfo(spec.type).cuda;
  kernel.wrapper = wrapperSource(
      "rope.cuh", kernel.name, threads,
      fmt::format("{} *x, long long rowStride, const int *positions, int rows", t),
      fmt::format("loom::rope<{}, loom::RopeStyle::{}, {}, {}, {}, {}, {}>(x, rowStride, "
                  "positions, rows, loom::RopeFrequencies{{{}, {}, {}, {}, {}}})",
                  t, spec.interleaved ? "kInterleaved" : "kRotateHalf", spec.headDim,
                  spec.heads, threads, vec, rowsPerCta, floatLiteral(a.theta),
                  floatLiteral(a.factor), floatLiteral(a.lowFreqFactor),
                  floatLiteral(a.highFreqFactor), floatLiteral(a.originalMaxPosition)));
  return kernel;
}

} // namespace loom::testing

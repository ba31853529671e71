// Sm90Epilogues: loom/gemm_sm90.cuh wrappers with the epilogues the CUDA emitter writes (bias,
// activation, residual add, merged gate/up gating, cast of the output to f32) and the RMSNorm
// prologue, their CPU reference, and the separate elementwise kernels an unfused cuBLAS pipeline
// runs after its GEMM.
#pragma once

#include "test/gpu/Kernels/Sm90/Sm90Gemm.h"

#include <cmath>
#include <string>
#include <vector>

namespace loom::testing {

/// The activation part between bias and residual (loom::epi::Silu or loom::epi::GeluTanh).
enum class Sm90Activation { kNone, kSilu, kGeluTanh };

/// One epilogue, applied in the emitter's order: gating, bias, activation, residual, cast.
struct Sm90EpilogueSpec {
  const char *name;
  bool gated = false;      ///< W = [gate; up] ([2N, K]), accumulators -> silu(gate) * up
  bool bias = false;       ///< + bias[col]
  Sm90Activation activation = Sm90Activation::kNone;
  bool residual = false;   ///< + residual[row, col] ([M, N], bf16)
  bool floatOutput = false; ///< Y in f32 instead of bf16 (a final graph.cast)
  bool rmsNorm = false;     ///< RmsNormPrologue: row r scaled by rsqrt(mean x[r]^2 + eps)

  int weightsPerOutput() const { return gated ? 2 : 1; }
  /// What Sm90Gemm.h's launch and tensor-map helpers need to know of the epilogue.
  Sm90GemmEpilogue launchShape() const {
    return {name, weightsPerOutput(), bias, gated ? "loom::GatedSilu" : "loom::NoGating", ""};
  }
  /// The loom::epi parts after makeEpilogue's (y, N), as the emitter writes them.
  std::string parts() const {
    std::string text;
    if (bias)
      text += ", loom::epi::Bias<loom::bf16>{bias}";
    if (activation == Sm90Activation::kSilu)
      text += ", loom::epi::Silu{}";
    if (activation == Sm90Activation::kGeluTanh)
      text += ", loom::epi::GeluTanh{}";
    if (residual)
      text += ", loom::epi::Residual<loom::bf16>{residual, N}";
    return text;
  }
};

/// The RMSNorm prologue's epsilon in these wrappers.
inline constexpr double kSm90RmsNormEps = 1e-5;

inline constexpr Sm90EpilogueSpec kSm90EpiStore{"store"};
inline constexpr Sm90EpilogueSpec kSm90EpiBias{"bias", false, true};
inline constexpr Sm90EpilogueSpec kSm90EpiResidual{"residual", false, false,
                                                   Sm90Activation::kNone, true};
inline constexpr Sm90EpilogueSpec kSm90EpiBiasGeluResidual{"bias_gelu_residual", false, true,
                                                           Sm90Activation::kGeluTanh, true};
inline constexpr Sm90EpilogueSpec kSm90EpiBiasSilu{"bias_silu", false, true,
                                                   Sm90Activation::kSilu};
inline constexpr Sm90EpilogueSpec kSm90EpiGatedSilu{"gated_silu", true};
inline constexpr Sm90EpilogueSpec kSm90EpiGatedSiluResidual{"gated_silu_residual", true, false,
                                                            Sm90Activation::kNone, true};
inline constexpr Sm90EpilogueSpec kSm90EpiCastF32{"cast_f32", false, false,
                                                  Sm90Activation::kNone, false, true};
inline constexpr Sm90EpilogueSpec kSm90EpiResidualCastF32{"residual_cast_f32", false, false,
                                                          Sm90Activation::kNone, true, true};
inline constexpr Sm90EpilogueSpec kSm90EpiRmsNorm{"rmsnorm", false, false, Sm90Activation::kNone,
                                                  false, false, true};
inline constexpr Sm90EpilogueSpec kSm90EpiRmsNormGatedSilu{"rmsnorm_gated_silu", true, false,
                                                           Sm90Activation::kNone, false, false,
                                                           true};
inline constexpr Sm90EpilogueSpec kSm90EpiRmsNormBiasResidual{
    "rmsnorm_bias_residual", false, true, Sm90Activation::kNone, true, false, true};

inline std::string sm90EpilogueKernelName(const Sm90GemmTile &tile, const Sm90EpilogueSpec &spec) {
  return fmt::format("gemm_sm90_epi_{}x{}_s{}_g{}_c{}{}_{}", tile.blockM, tile.blockN, tile.stages,
                     tile.groupM, tile.cluster, tile.stagedStores ? "_st" : "", spec.name);
}

/// The wrapper: (x, w, bias, residual, y, M, N, K), unused pointers passed as 0.
inline std::string sm90EpilogueSource(const Sm90GemmTile &tile, const Sm90EpilogueSpec &spec) {
  return fmt::format(R"cuda(#include "loom/gemm_sm90.cuh"
using Config = loom::sm90::GemmSm90Config<{}, {}, {}, {}, {}, {}>;
static_assert(Config::kSharedBytes == {}u, "host and device disagree on shared memory");
extern "C" __global__ __launch_bounds__(Config::kThreads, 1){} void {}(
    const __grid_constant__ loom::sm90::TmaDescriptor x,
    const __grid_constant__ loom::sm90::TmaDescriptor w, const loom::bf16 *bias,
    const loom::bf16 *residual, {} *y, int M, int N, int K) {{
  loom::sm90::gemmBf16Sm90<Config, {}>(x, w, M, N, K, loom::epi::makeEpilogue(y, N{}){});
}}
)cuda",
                     tile.blockM, tile.blockN, tile.stages, tile.groupM, tile.cluster,
                     tile.stagedStores ? "true" : "false", sm90GemmSharedBytes(tile),
                     tile.cluster > 1 ? " __cluster_dims__(Config::kCluster, 1, 1)" : "",
                     sm90EpilogueKernelName(tile, spec), spec.floatOutput ? "float" : "loom::bf16",
                     spec.launchShape().gating, spec.parts(),
                     spec.rmsNorm ? fmt::format(", loom::RmsNormPrologue{{{}f}}", kSm90RmsNormEps)
                                  : "");
}

/// Launches the wrapper of sm90EpilogueSource on `stream` (nothing to do when M or N is 0).
inline Status launchSm90Epilogue(rt::Kernel &kernel, const Sm90GemmTile &tile,
                                 const Sm90EpilogueSpec &spec, const Sm90GemmOperands &operands,
                                 CUdeviceptr bias, CUdeviceptr residual, CUdeviceptr y, int M,
                                 int N, int K, int residentCtas, CUstream stream) {
  if (M == 0 || N == 0)
    return Status::ok();
  rt::KernelArgs args;
  args.add(operands.x).add(operands.w).add(bias).add(residual).add(y).add(M).add(N).add(K);
  return rt::launchKernel(kernel, sm90GemmLaunchConfig(tile, spec.launchShape(), M, N, residentCtas),
                          args, stream);
}

/// The epilogue on the host, in f64: `gate` (and `up` when gated) are the row's dot products,
/// `rowScale` the RMSNorm prologue's rsqrt(mean x^2 + eps) of the row (1 without it).
inline double sm90EpilogueReference(const Sm90EpilogueSpec &spec, double gate, double up,
                                    double bias, double residual, double rowScale = 1.0) {
  gate *= rowScale;
  up *= rowScale;
  double v = spec.gated ? gate / (1 + std::exp(-gate)) * up : gate;
  if (spec.bias)
    v += bias;
  if (spec.activation == Sm90Activation::kSilu)
    v = v / (1 + std::exp(-v));
  if (spec.activation == Sm90Activation::kGeluTanh)
    v = 0.5 * v * (1 + std::tanh(0.7978845608028654 * (v + 0.044715 * v * v * v)));
  if (spec.residual)
    v += residual;
  return v;
}

/// What a cuBLAS pipeline runs after its bf16 GEMM H to get the same result, 8 elements per
/// thread (16-byte accesses; N % 8 == 0): bias_add, residual_add, bias_gelu_residual, bias_silu,
/// silu_mul
/// (H = [M, 2N]: y = silu(H[:, :N]) * H[:, N:]) and cast_f32. Parameters: (h, bias, residual,
/// y, M, N); one launch covers M * N / 8 threads.
constexpr const char *kSeparateEpilogueKernelsSource = R"cuda(
#include "loom/elementwise.cuh"
namespace {
struct Row8 { float v[8]; };
__device__ __forceinline__ Row8 load8(const loom::bf16 *at) {
  uint4 raw = *reinterpret_cast<const uint4 *>(at);
  const unsigned words[4] = {raw.x, raw.y, raw.z, raw.w};
  Row8 row;
  for (int i = 0; i < 4; ++i) {
    loom::bf16x2 pair;
    pair.bits = words[i];
    row.v[2 * i] = loom::toFloat(loom::low(pair));
    row.v[2 * i + 1] = loom::toFloat(loom::high(pair));
  }
  return row;
}
__device__ __forceinline__ void store8(loom::bf16 *at, const Row8 &row) {
  uint4 raw;
  raw.x = loom::toBf16x2(row.v[0], row.v[1]).bits;
  raw.y = loom::toBf16x2(row.v[2], row.v[3]).bits;
  raw.z = loom::toBf16x2(row.v[4], row.v[5]).bits;
  raw.w = loom::toBf16x2(row.v[6], row.v[7]).bits;
  *reinterpret_cast<uint4 *>(at) = raw;
}
__device__ __forceinline__ bool chunk(int M, int N, long long &row, long long &col) {
  const long long i = blockIdx.x * 256ll + threadIdx.x, perRow = N / 8;
  if (i >= M * perRow) return false;
  row = i / perRow;
  col = (i % perRow) * 8;
  return true;
}
} // namespace
#define SEPARATE_EPILOGUE(name) extern "C" __global__ __launch_bounds__(256) void name(     \
    const loom::bf16 *h, const loom::bf16 *bias, const loom::bf16 *residual, void *y, int M, \
    int N)
SEPARATE_EPILOGUE(bias_add) {
  long long row, col;
  if (!chunk(M, N, row, col)) return;
  Row8 v = load8(h + row * N + col), b = load8(bias + col);
  for (int i = 0; i < 8; ++i) v.v[i] += b.v[i];
  store8(static_cast<loom::bf16 *>(y) + row * N + col, v);
}
SEPARATE_EPILOGUE(residual_add) {
  long long row, col;
  if (!chunk(M, N, row, col)) return;
  Row8 v = load8(h + row * N + col), r = load8(residual + row * N + col);
  for (int i = 0; i < 8; ++i) v.v[i] += r.v[i];
  store8(static_cast<loom::bf16 *>(y) + row * N + col, v);
}
SEPARATE_EPILOGUE(bias_gelu_residual) {
  long long row, col;
  if (!chunk(M, N, row, col)) return;
  Row8 v = load8(h + row * N + col), b = load8(bias + col), r = load8(residual + row * N + col);
  for (int i = 0; i < 8; ++i) v.v[i] = loom::GeluTanh::apply(v.v[i] + b.v[i], nullptr) + r.v[i];
  store8(static_cast<loom::bf16 *>(y) + row * N + col, v);
}
SEPARATE_EPILOGUE(bias_silu) {
  long long row, col;
  if (!chunk(M, N, row, col)) return;
  Row8 v = load8(h + row * N + col), b = load8(bias + col);
  for (int i = 0; i < 8; ++i) v.v[i] = loom::Silu::apply(v.v[i] + b.v[i], nullptr);
  store8(static_cast<loom::bf16 *>(y) + row * N + col, v);
}
SEPARATE_EPILOGUE(silu_mul) {
  long long row, col;
  if (!chunk(M, N, row, col)) return;
  Row8 g = load8(h + row * 2 * N + col), u = load8(h + row * 2 * N + N + col);
  for (int i = 0; i < 8; ++i) g.v[i] = loom::Silu::apply(g.v[i], nullptr) * u.v[i];
  store8(static_cast<loom::bf16 *>(y) + row * N + col, g);
}
SEPARATE_EPILOGUE(cast_f32) {
  long long row, col;
  if (!chunk(M, N, row, col)) return;
  Row8 v = load8(h + row * N + col);
  float4 *out = reinterpret_cast<float4 *>(static_cast<float *>(y) + row * N + col);
  out[0] = make_float4(v.v[0], v.v[1], v.v[2], v.v[3]);
  out[1] = make_float4(v.v[4], v.v[5], v.v[6], v.v[7]);
}
)cuda";

/// The separate kernel that finishes `spec` after a cuBLAS GEMM, or "" when none is needed.
inline const char *separateEpilogueKernel(const Sm90EpilogueSpec &spec) {
  if (spec.gated)
    return "silu_mul";
  if (spec.floatOutput)
    return "cast_f32";
  if (spec.bias && spec.activation == Sm90Activation::kGeluTanh && spec.residual)
    return "bias_gelu_residual";
  if (spec.bias && spec.activation == Sm90Activation::kSilu && !spec.residual)
    return "bias_silu";
  if (spec.residual)
    return "residual_add";
  if (spec.bias)
    return "bias_add";
  return "";
}

/// One thread per 8 outputs of [M, N].
inline rt::LaunchConfig separateEpilogueLaunch(long long M, long long N) {
  rt::LaunchConfig launch;
  launch.block.x = 256;
  launch.grid.x = unsigned((M * N / 8 + 255) / 256);
  return launch;
}

} // namespace loom::testing

// LinearKernelSource: writes the extern "C" wrapper of a GEMM, decode-GEMV or skinny-GEMM
// instantiation exactly as the CUDA emitter does, and the launch geometry that goes with it (the
// wrapper contract of loom/gemm.cuh, loom/gemv.cuh, loom/gemm_skinny.cuh and
// loom/gemm_sm90_skinny.cuh). Shared by the GPU tests, the NVRTC compile test and loom-bench.
#pragma once

#include "compiler/Transforms/Tile/SkinnySharedBytes.h"
#include "runtime/CUDA/Launch.h"
#include "runtime/CUDA/TensorMap.h"

#include <fmt/format.h>

#include <algorithm>
#include <string>
#include <vector>

namespace loom::testing {

/// Tile configuration of loom::GemmConfig<BM, BN, BK, WARPS_M, WARPS_N, STAGES>.
struct GemmTile {
  int bm, bn, bk, warpsM, warpsN, stages;
  int threads() const { return warpsM * warpsN * 32; }
};
/// Tile configuration of loom::GemvConfig<WARPS, MAX_M, ROW_TILES, UNROLL[, 0, SPLIT]> (SPLIT > 1:
/// K split over a cluster of SPLIT CTAs, sm_90).
struct GemvTile {
  int warps, maxM, rowTiles, unroll, split = 1;
  int threads() const { return warps * 32; }
  int cols() const { return 16 * rowTiles; }
};
/// Tile configuration of loom::SkinnyConfig<MAX_M, SPLIT[, STAGES]> (loom/gemm_skinny.cuh, sm_90)
/// or, with `wgmma`, of loom::sm90::SkinnySm90Config<MAX_M, SPLIT, STAGES> (loom/gemm_sm90_skinny.cuh,
/// sm_90a, bf16, TMA descriptors for X and W).
struct SkinnyTile {
  int maxM, split, stages = 3;
  bool wgmma = false;
  static constexpr int kWeightRows = int(tile::kSkinnyWeightRowsPerCta);
  int threads() const { return wgmma ? 288 : 256; }
  /// The compiler's figure (tile-tiling's), which the wrapper asserts the device Config's equals.
  int sharedBytes() const {
    return int(wgmma ? tile::wgmmaSkinnySharedBytes(maxM, stages) : tile::skinnySharedBytes(maxM, stages));
  }
};

/// Epilogue parts, in the order they apply.
enum class EpiloguePart { kBias, kResidual, kSilu, kGeluTanh, kGeluErf };

/// One wrapper: which family and tile, element types, prologue, gating and epilogue parts.
struct LinearKernelSpec {
  std::string name;
  bool gemv = false;    ///< loom::gemv (decode) instead of loom::gemm
  bool skinny = false;  ///< loom::gemmSkinny (17..128 rows, sm_90) instead of loom::gemm
  SkinnyTile skinnyTile{128, 8};
  GemmTile gemmTile{128, 128, 32, 2, 2, 4};
  GemvTile gemvTile{8, 16, 1, 2};
  std::string input = "bf16";  ///< bf16 | f16
  std::string output = "bf16"; ///< bf16 | f16 | float
  bool gated = false;          ///< W is [2N, K]: silu(x·Wg^T) * (x·Wu^T)
  bool rmsNorm = false;        ///< RMSNorm prologue; the wrapper takes `float eps` last
  std::vector<EpiloguePart> parts;

  bool has(EpiloguePart part) const {
    for (EpiloguePart p : parts)
      if (p == part)
        return true;
    return false;
  }
  int weightsPerOutput() const { return gated ? 2 : 1; }
};

inline std::string deviceTypeName(const std::string &type) {
  return type == "float" ? type : "loom::" + type;
}

/// The CUDA C++ of the wrapper (several may share one program). Parameters: x, w, [bias], [residual], y, M, N, K, [eps].
inline std::string linearKernelSource(const LinearKernelSpec &spec) {
  const std::string in = deviceTypeName(spec.input), out = deviceTypeName(spec.output);
  const bool wgmma = spec.skinny && spec.skinnyTile.wgmma;
  std::string config =
      wgmma ? fmt::format("loom::sm90::SkinnySm90Config<{}, {}, {}>", spec.skinnyTile.maxM,
                          spec.skinnyTile.split, spec.skinnyTile.stages)
      : spec.skinny ? fmt::format("loom::SkinnyConfig<{}, {}, {}>", spec.skinnyTile.maxM,
                                spec.skinnyTile.split, spec.skinnyTile.stages)
      : spec.gemv ? fmt::format("loom::GemvConfig<{}, {}, {}, {}{}>", spec.gemvTile.warps,
                              spec.gemvTile.maxM, spec.gemvTile.rowTiles, spec.gemvTile.unroll,
                              spec.gemvTile.split > 1 ? fmt::format(", 0, {}", spec.gemvTile.split) : "")
                : fmt::format("loom::GemmConfig<{}, {}, {}, {}, {}, {}>", spec.gemmTile.bm,
                              spec.gemmTile.bn, spec.gemmTile.bk, spec.gemmTile.warpsM,
                              spec.gemmTile.warpsN, spec.gemmTile.stages);
  std::string params = wgmma ? "const __grid_constant__ loom::sm90::TmaDescriptor x, "
                               "const __grid_constant__ loom::sm90::TmaDescriptor w"
                             : fmt::format("const {0} *x, const {0} *w", in);
  std::string parts;
  for (EpiloguePart part : spec.parts) {
    switch (part) {
    case EpiloguePart::kBias:
      params += fmt::format(", const {} *bias", in);
      parts += fmt::format(", loom::epi::Bias<{}>{{bias}}", in);
      break;
    case EpiloguePart::kResidual:
      params += fmt::format(", const {} *residual", in);
      parts += fmt::format(", loom::epi::Residual<{}>{{residual, N}}", in);
      break;
    case EpiloguePart::kSilu: parts += ", loom::epi::Silu{}"; break;
    case EpiloguePart::kGeluTanh: parts += ", loom::epi::GeluTanh{}"; break;
    case EpiloguePart::kGeluErf: parts += ", loom::epi::GeluErf{}"; break;
    }
  }
  params += fmt::format(", {} *y, int M, int N, int K", out);
  if (spec.rmsNorm)
    params += ", float eps";
  const char *prologue = spec.rmsNorm ? "loom::RmsNormPrologue" : "loom::NoPrologue";
  return fmt::format(
      "// {name}: Y = epilogue(X · W^T), {family} with {config}.\n"
      "#include \"loom/{header}.cuh\"\n"
      "extern \"C\" __global__ __launch_bounds__({config}::kThreads{bounds}) void {name}({params}) {{\n"
      "{sharedCheck}"
      "  loom::{family}<{config}, {in}{prologue}, {gating}>(\n"
      "      x, w, M, N, K, {prologue}{{{eps}}}, loom::epi::makeEpilogue(y, N{parts}));\n"
      "}}\n",
      fmt::arg("name", spec.name),
      fmt::arg("family", wgmma ? "sm90::gemmSkinnySm90" : spec.skinny ? "gemmSkinny" : spec.gemv ? "gemv" : "gemm"),
      fmt::arg("header", wgmma ? "gemm_sm90_skinny" : spec.skinny ? "gemm_skinny" : spec.gemv ? "gemv" : "gemm"),
      fmt::arg("config", config),
      fmt::arg("bounds", spec.skinny ? fmt::format(", 1) __cluster_dims__(1, {}, 1", spec.skinnyTile.split)
                         : spec.gemv && spec.gemvTile.split > 1 ? fmt::format(") __cluster_dims__({}, 1, 1", spec.gemvTile.split)
                                                                : ""),
      fmt::arg("params", params), fmt::arg("in", wgmma ? "" : in + ", "), fmt::arg("prologue", prologue),
      fmt::arg("gating", spec.gated ? "loom::GatedSilu" : "loom::NoGating"),
      fmt::arg("eps", spec.rmsNorm ? "eps" : ""), fmt::arg("parts", parts),
      // linearLaunch gives SkinnyTile::sharedBytes(), the compiler's figure; the device Config's
      // must be exactly it (NVRTC checks this wherever the wrapper compiles).
      fmt::arg("sharedCheck",
               spec.skinny ? fmt::format("  static_assert({}::sharedBytes == {}, \"the device Config's shared bytes "
                                         "are not the compiler's (SkinnySharedBytes.h)\");\n",
                                         config, spec.skinnyTile.sharedBytes())
                           : std::string()));
}

/// Grid, block and dynamic shared memory for M rows (the contract's formulas).
inline rt::LaunchConfig linearLaunch(const LinearKernelSpec &spec, int m, int n) {
  rt::LaunchConfig launch;
  if (spec.skinny) {
    const SkinnyTile &tile = spec.skinnyTile;
    int outputs = SkinnyTile::kWeightRows / spec.weightsPerOutput();
    launch.block.x = unsigned(tile.threads());
    launch.grid.x = unsigned((n + outputs - 1) / outputs);
    launch.grid.y = unsigned(tile.split);
    launch.grid.z = unsigned((m + tile.maxM - 1) / tile.maxM);
    launch.dynamicSharedBytes = unsigned(tile.sharedBytes());
    return launch;
  }
  if (spec.gemv) {
    const GemvTile &tile = spec.gemvTile;
    launch.block.x = unsigned(tile.threads());
    launch.grid.x = unsigned((n + tile.cols() - 1) / tile.cols() * tile.split);
    launch.grid.y = unsigned((m + tile.maxM - 1) / tile.maxM);
    return launch;
  }
  const GemmTile &tile = spec.gemmTile;
  launch.block.x = unsigned(tile.threads());
  launch.grid.x = unsigned(((m + tile.bm - 1) / tile.bm) * ((n + tile.bn - 1) / tile.bn));
  launch.dynamicSharedBytes =
      unsigned(tile.stages * (tile.bm + spec.weightsPerOutput() * tile.bn) * tile.bk * 2);
  return launch;
}

/// Device pointers of one call; unused ones are ignored. A wgmma skinny wrapper takes the tensor
/// maps of x and w instead (encodeSkinnyOperands).
struct LinearOperands {
  uint64_t x = 0, w = 0, bias = 0, residual = 0, y = 0;
  int m = 0, n = 0, k = 0;
  float eps = 1e-5f;
  CUtensorMap xMap{}, wMap{};
};

/// Fills the tensor maps of a wgmma skinny wrapper: X [m, k] in boxes of 64 rows, W [G*n, k]
/// in boxes of 128 / G rows (loom/gemm_sm90_skinny.cuh); nothing for other wrappers.
inline Status encodeSkinnyOperands(const rt::DriverApi &api, const LinearKernelSpec &spec,
                                   LinearOperands &operands) {
  if (!spec.skinny || !spec.skinnyTile.wgmma)
    return Status::ok();
  const int g = spec.weightsPerOutput();
  LOOM_ASSIGN_OR_RETURN(operands.xMap, rt::tensorMapForGemmOperand(api, operands.x, uint64_t(std::max(operands.m, 1)),
                                                                  uint64_t(operands.k), 64u));
  LOOM_ASSIGN_OR_RETURN(operands.wMap, rt::tensorMapForGemmOperand(api, operands.w, uint64_t(g) * operands.n,
                                                                  uint64_t(operands.k), uint32_t(SkinnyTile::kWeightRows / g)));
  return Status::ok();
}

/// Arguments in the wrapper's parameter order.
inline void addLinearArgs(const LinearKernelSpec &spec, const LinearOperands &operands,
                          rt::KernelArgs &args) {
  if (spec.skinny && spec.skinnyTile.wgmma)
    args.add(operands.xMap).add(operands.wMap);
  else
    args.add(operands.x).add(operands.w);
  for (EpiloguePart part : spec.parts) {
    if (part == EpiloguePart::kBias)
      args.add(operands.bias);
    if (part == EpiloguePart::kResidual)
      args.add(operands.residual);
  }
  args.add(operands.y).add(operands.m).add(operands.n).add(operands.k);
  if (spec.rmsNorm)
    args.add(operands.eps);
}

} // namespace loom::testing

// Emission of GEMM kernels: loom::gemm (mma.sync), loom::gemv (small M), loom::gemmSkinny (M 17..128),
// loom::sm90::gemmSkinnySm90 (wgmma skinny, M 17..128 on sm_90a; EmitGemmSkinnySm90.cpp),
// loom::sm90::gemmBf16Sm90 (wgmma + TMA) or loom::gemmSimt (the CUDA-core fallback), with the
// prologue and the epilogue parts as types.
//
// How it works: the dot's operands and sizes become the call's X, W, M, N, K; a tile.row_scale
// scale becomes RmsNormPrologue{eps}; the maps between the dot and the store become epilogue
// parts in order ([bn] add -> Bias, [bm, bn] add -> Residual, silu/gelu -> Activation, a final
// cast -> the store's rounding); a dot marked loom.gating becomes Gated<act>; a store marked
// loom.rope_kv becomes loom::epi::makeRopeKvAppend over those parts instead of makeEpilogue
// (EmitRopeKvEpilogue.cpp); the config picks the family and its template arguments (a GEMV's
// k_split > 1: GemvConfig's SPLIT and a cluster of that many CTAs). With kStreamWeightsBeforeWait
// (off, below), a GEMV whose W is a package weight (tile.kernel `loom.weights`) has no wait at the
// wrapper's top: loom::gemv streams W's first batches before its own wait and builds the epilogue
// after it.
#include "compiler/Target/CUDA/EmitGemmSkinnySm90.h"
#include "compiler/Target/CUDA/EmitRopeKvEpilogue.h"
#include "compiler/Target/CUDA/KernelSource.h"
#include "compiler/Transforms/Tile/KernelAnalysis.h"

#include "llvm/ADT/StringExtras.h"

namespace loom::cuda {

namespace {

/// Off: with it on, SmolLM2-135M's crowd tests (LoomSmolLM2GpuTests ATinyKvPool... and
/// DecodeGraphReplayEqualsEagerSteps, 24 ragged requests) produce wrong tokens under launch
/// overlap on the H100, and pass with it off or with overlap off (docs/perf-baseline.md,
/// "Session 8 — the early weight stream breaks SmolLM2"). The cause (docs/perf-baseline.md,
/// "Session 9"): the early trigger launches kernels two deep, and griddepcontrol.wait does not
/// invalidate L1, so a kernel can read lines an older, still-running kernel cached from a buffer
/// since rewritten; a fix (L1 invalidation / X through L2) passes but costs the LM head 33 us, so
/// the stream stays off until the invalidation is placed only where needed. The weight proof
/// (loom.weights), loom::gemv's pre-wait stream and the PTX checker's marked-kernel rule stay.
constexpr bool kStreamWeightsBeforeWait = false;

/// The epilogue parts between the dot and the store, or an error on the op that fits none.
mlir::FailureOr<std::vector<std::string>> epilogueParts(tile::DotOp dot, KernelSource &source,
                                                        tile::StoreOp &store, const std::string &n) {
  std::vector<std::string> parts;
  mlir::Value value = dot.getResult();
  while (true) {
    if (!value.hasOneUse())
      return dot.emitOpError() << "accumulator must flow through one chain of maps into one store";
    mlir::Operation *user = *value.getUsers().begin();
    if ((store = llvm::dyn_cast<tile::StoreOp>(user)))
      return parts;
    auto map = llvm::dyn_cast<tile::MapOp>(user);
    if (!map)
      return user->emitOpError() << "is not an epilogue the device library has";
    switch (map.getKind()) {
    case tile::MapKind::add: {
      mlir::Value other = map.getOperands()[map.getOperands()[0] == value ? 1 : 0];
      auto load = other.getDefiningOp<tile::LoadOp>();
      if (!load)
        return map.emitOpError() << "adds a value that is not a loaded tile";
      std::string type = source.pointee(load.getPtr()), name = source.name(load.getPtr());
      parts.push_back(load.getResult().getType().getRank() == 1
                          ? "loom::epi::Bias<" + type + ">{" + name + "}"
                          : "loom::epi::Residual<" + type + ">{" + name + ", " + n + "}");
      break;
    }
    case tile::MapKind::silu:
      parts.push_back("loom::epi::Silu{}");
      break;
    case tile::MapKind::gelu_tanh:
      parts.push_back("loom::epi::GeluTanh{}");
      break;
    case tile::MapKind::gelu_erf:
      parts.push_back("loom::epi::GeluErf{}");
      break;
    case tile::MapKind::cast:
      break; // the store rounds to the output type
    default:
      return map.emitOpError() << "'" << tile::stringifyMapKind(map.getKind())
                               << "' is not an epilogue part of loom/epilogue.cuh";
    }
    value = map.getResult();
  }
}

/// The device library's gating type of a GEMM: loom::NoGating, or loom::Gated<Op> for a merged
/// gate/up weight (tile.dot's loom.gating activation).
mlir::FailureOr<std::string> gatingType(tile::DotOp dot) {
  static const std::pair<tile::MapKind, llvm::StringLiteral> kGatings[] = {
      {tile::MapKind::silu, "loom::Gated<loom::Silu>"},
      {tile::MapKind::gelu_tanh, "loom::Gated<loom::GeluTanh>"},
      {tile::MapKind::gelu_erf, "loom::Gated<loom::GeluErf>"}};
  auto activation = tile::gatingOf(dot);
  if (!activation)
    return std::string("loom::NoGating");
  auto entry = llvm::find_if(kGatings, [&](auto e) { return e.first == *activation; });
  if (entry == std::end(kGatings))
    return dot.emitOpError() << "gating by '" << tile::stringifyMapKind(*activation)
                             << "' has no loom/epilogue.cuh type";
  return entry->second.str();
}

std::string templateArgs(tile::KernelOp kernel, std::initializer_list<llvm::StringRef> keys) {
  std::vector<std::string> values;
  for (llvm::StringRef key : keys)
    values.push_back(std::to_string(kernel.getConfigValue(key).value_or(0)));
  return llvm::join(values, ", ");
}

} // namespace

mlir::FailureOr<std::string> emitGemm(tile::KernelOp kernel) {
  tile::DotOp dot;
  kernel.walk([&](tile::DotOp found) { dot = found; });
  if (!dot.getAtom())
    return dot.emitOpError() << "has no MMA atom (run tile-lower-to-tensor-cores first)";
  KernelSource source(kernel);
  std::string x = source.name(dot.getA()), w = source.name(dot.getB()), t = source.pointee(dot.getA());
  std::string m = source.expr(dot.getM()), n = source.expr(dot.getN()), k = source.expr(dot.getK());
  tile::StoreOp store;
  auto parts = epilogueParts(dot, source, store, n);
  if (mlir::failed(parts))
    return mlir::failure();
  std::vector<std::string> epilogueArgs = {source.name(store.getPtr()), n};
  epilogueArgs.insert(epilogueArgs.end(), parts->begin(), parts->end());
  std::string epilogue = "loom::epi::makeEpilogue(" + llvm::join(epilogueArgs, ", ") + ")";
  auto ropeKv = ropeKvEpilogue(kernel, store, source, *parts); // a QKV GEMM's rope + KV-append
  if (mlir::failed(ropeKv))
    return mlir::failure();
  epilogue = ropeKv->value_or(epilogue);
  std::string prologue = "loom::NoPrologue", prologueValue = "loom::NoPrologue{}";
  if (auto scale = dot.getScale() ? dot.getScale().getDefiningOp<tile::RowScaleOp>() : nullptr) {
    prologue = "loom::RmsNormPrologue";
    prologueValue = "loom::RmsNormPrologue{" + KernelSource::floatLiteral(scale.getEps().convertToFloat()) + "}";
  }
  auto gating = gatingType(dot);
  if (mlir::failed(gating))
    return mlir::failure();
  std::string threads = std::to_string((*kernel.getBlock())[0]);
  std::string call;
  if (kernel.getConfigValue("consumers")) {
    source.include("loom/gemm_sm90.cuh");
    source.include("loom/epilogue.cuh");
    source.declare(dot.getA(), "const __grid_constant__ loom::sm90::TmaDescriptor " + x);
    source.declare(dot.getB(), "const __grid_constant__ loom::sm90::TmaDescriptor " + w);
    if (kernel.getConfigValue("split")) // the wgmma skinny GEMM: 17..128 rows, split-K (EmitGemmSkinnySm90)
      return emitSkinnySm90(kernel, source, {x, w, m, n, k, *gating, prologue, prologueValue, epilogue});
    call = "  using Config = loom::sm90::GemmSm90Config<" +
           templateArgs(kernel, {"bm", "bn", "stages", "group_m"}) + ">;\n  loom::sm90::gemmBf16Sm90<Config, " + *gating + ">(" +
           x + ", " + w + ", " + m + ", " + n + ", " + k + ", " + epilogue + (dot.getScale() ? ", " + prologueValue : "") + ");\n";
    return source.render(call, threads + ", 1");
  }
  if (kernel.getConfigValue("simt")) { // the CUDA-core fallback (tile-tiling's loom.fallback)
    source.include("loom/gemm_simt.cuh");
    call = "  using Config = loom::GemmSimtConfig<" + templateArgs(kernel, {"bm", "bn", "bk", "tm", "tn"}) +
           ">;\n  loom::gemmSimt<Config, " + t + ", " + prologue + ", " + *gating + ">(" + x + ", " + w +
           ", " + m + ", " + n + ", " + k + ", " + prologueValue + ", " + epilogue + ");\n";
    return source.render(call, threads);
  }
  if (auto split = kernel.getConfigValue("split")) { // the skinny GEMM: 17..128 rows, sm_90
    source.include("loom/gemm_skinny.cuh");
    // The launch gives the shared memory tile-tiling computed; the kernel places its row sums at
    // the end of Config::sharedBytes, so that must fit in it.
    call = "  using Config = loom::SkinnyConfig<" + templateArgs(kernel, {"max_m", "split", "ring"}) +
           ">;\n  static_assert(Config::sharedBytes <= " + std::to_string(kernel.getSharedBytes().value_or(0)) +
           ", \"loom::SkinnyConfig needs more shared memory than the launch gives\");\n  loom::gemmSkinny<Config, " +
           t + ", " + prologue + ", " + *gating + ">(" + x + ", " + w + ", " + m + ", " + n + ", " + k + ", " +
           prologueValue + ", " + epilogue + ");\n";
    // The split CTAs of a column block form a cluster (its reduction reads their shared memory).
    return source.render(call, threads + ", 1) __cluster_dims__(1, " + std::to_string(*split) + ", 1");
  }
  bool gemv = kernel.getConfigValue("max_m").has_value();
  source.include(gemv ? "loom/gemv.cuh" : "loom/gemm.cuh");
  if (kStreamWeightsBeforeWait && gemv && source.isWeight(dot.getB())) {
    // W is a package weight: loom::gemv streams its first batches before its own wait, and
    // builds the epilogue (which may read step data or fill tables) after it.
    source.streamsWeightBeforeWait(dot.getB());
    epilogue = "loom::deferEpilogue([&] { return " + epilogue + "; })";
  }
  // A GEMV split over K (tile-tiling's k_split): the ranks of a tile form a cluster, whose
  // reduction reads their shared memory; the ring depth stays loom::gemv's choice (0).
  const int64_t kSplit = gemv ? kernel.getConfigValue("k_split").value_or(1) : 1;
  std::string splitArgs = kSplit > 1 ? ", 0, " + std::to_string(kSplit) : "";
  std::string config = gemv ? "loom::GemvConfig<" + templateArgs(kernel, {"warps", "max_m", "row_tiles", "unroll"}) + splitArgs + ">"
                            : "loom::GemmConfig<" + templateArgs(kernel, {"bm", "bn", "bk", "warps_m", "warps_n", "stages"}) + ">";
  call = "  using Config = " + config + ";\n  loom::" + (gemv ? "gemv" : "gemm") + "<Config, " + t + ", " +
         prologue + ", " + *gating + ">(" + x + ", " + w + ", " + m + ", " + n + ", " + k + ", " +
         prologueValue + ", " + epilogue + ");\n";
  return source.render(call, kSplit > 1 ? threads + ") __cluster_dims__(" + std::to_string(kSplit) + ", 1, 1" : threads);
}

} // namespace loom::cuda

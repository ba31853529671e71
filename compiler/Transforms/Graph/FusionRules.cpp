// The seed and absorb tables of graph-fuse, and the matchers that check each row's pattern and shapes.
#include "compiler/Transforms/Graph/FusionRules.h"

#include "dialects/Graph/IR/GraphVerify.h"
#include "dialects/Tile/IR/TensorCoreOperands.h"
#include "llvm/ADT/STLExtras.h"

#include <string>

namespace loom::graph::fusion {
namespace {

struct NamedClass {
  llvm::StringLiteral name;
  OpClass opClass;
};

constexpr NamedClass kOpClasses[] = {
    {"graph.silu", OpClass::Activation}, {"graph.gelu", OpClass::Activation},
    {"graph.cast", OpClass::Cast},       {"graph.add", OpClass::Add},
    {"graph.mul", OpClass::Mul},         {"graph.linear", OpClass::Gemm},
    {"graph.rms_norm", OpClass::RmsNorm},
    // graph.matmul has no class: its kernel (loom::matmulSimt) takes no prologue or epilogue
    // parts yet, so it stays a group of its own and its neighbours fuse among themselves.
    {"graph.split", OpClass::Split},     {"graph.rope", OpClass::Rope},
    {"graph.kv_append", OpClass::KVAppend},
};

std::string typeText(mlir::Type type) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << type;
  return text;
}

mlir::Operation *onlyUser(mlir::Value value) {
  return value.hasOneUse() ? *value.getUsers().begin() : nullptr;
}

/// Elementwise ops join a group when their result has the group's iteration shape.
mlir::FailureOr<Absorption> matchElementwise(const Group &group, mlir::Operation *candidate,
                                             mlir::Value, std::string &why) {
  auto groupType = mlir::cast<mlir::ShapedType>(group.anchor->getResult(0).getType());
  auto type = mlir::cast<mlir::ShapedType>(candidate->getResult(0).getType());
  if (type.getShape() != groupType.getShape()) {
    why = "its shape (" + typeText(type) + ") differs from the group's (" + typeText(groupType) + ")";
    return mlir::failure();
  }
  return Absorption{{candidate}, {}, false, std::nullopt};
}

/// An epilogue op reads the end of the GEMM's epilogue chain and keeps its shape.
mlir::FailureOr<Absorption> matchEpilogue(const Group &group, mlir::Operation *candidate,
                                          mlir::Value via, std::string &why) {
  if (via != group.tail) {
    why = "it reads a value inside the GEMM's epilogue chain, not its end";
    return mlir::failure();
  }
  auto tailType = mlir::cast<mlir::ShapedType>(via.getType());
  for (mlir::Value operand : candidate->getOperands())
    if (mlir::cast<mlir::ShapedType>(operand.getType()).getShape() != tailType.getShape()) {
      why = "operand type " + typeText(operand.getType()) + " has another shape than the GEMM result (" +
            typeText(tailType) + ")";
      return mlir::failure();
    }
  return Absorption{{candidate}, candidate->getResult(0), true, std::nullopt};
}

/// Gating of a merged gate/up projection: GEMM → split into two equal halves of the last axis →
/// silu(gate) · up, straight after the GEMM.
mlir::FailureOr<Absorption> matchGating(const Group &group, SplitOp split, mlir::Value via, std::string &why) {
  int64_t lastAxis = rankOf(via) - 1;
  auto results = split.getResults();
  bool halves = results.size() == 2 && static_cast<int64_t>(split.getAxis()) == lastAxis &&
                results[0].getType() == results[1].getType();
  if (!halves) {
    why = "gating needs a split into two equal halves of the last axis, got " +
          std::to_string(results.size()) + " pieces on axis " + std::to_string(split.getAxis());
    return mlir::failure();
  }
  mlir::Value gate = results[0], up = results[1];
  auto silu = mlir::dyn_cast_or_null<SiluOp>(onlyUser(gate));
  auto mul = silu ? mlir::dyn_cast_or_null<MulOp>(onlyUser(silu.getResult())) : MulOp();
  bool gated = mul && onlyUser(up) == mul.getOperation() &&
               llvm::is_contained(mul->getOperands(), up);
  if (!gated) {
    why = "gating needs silu(first half) · second half, each half used once";
    return mlir::failure();
  }
  return Absorption{{split, silu, mul}, mul.getResult(), true, std::nullopt};
}

/// The rope + KV-append tail of a merged QKV projection: GEMM -> split into [q, k, v] along the
/// last axis -> rope(q), rope(k) (interleaved, so each rotated pair is two adjacent columns, what
/// one epilogue call holds) -> kv_append(rope(k), v). The group yields rope(q) and the cache.
mlir::FailureOr<Absorption> matchRopeKvTail(const Group &group, SplitOp split, mlir::Value via,
                                            std::string &why) {
  auto results = split.getResults();
  if (results.size() != 3 || static_cast<int64_t>(split.getAxis()) != rankOf(via) - 1) {
    why = "the rope + KV-append tail needs a split into [q, k, v] along the last axis";
    return mlir::failure();
  }
  auto queryRope = mlir::dyn_cast_or_null<RopeOp>(onlyUser(results[0]));
  auto keyRope = mlir::dyn_cast_or_null<RopeOp>(onlyUser(results[1]));
  auto append = keyRope ? mlir::dyn_cast_or_null<KVAppendOp>(onlyUser(keyRope.getResult())) : KVAppendOp();
  if (!queryRope || !append || append.getKey() != keyRope.getResult() || append.getValue() != results[2] ||
      onlyUser(results[2]) != append.getOperation()) {
    why = "the rope + KV-append tail needs rope(q), rope(k) and kv_append(rope(k), v), each piece used once";
    return mlir::failure();
  }
  if (queryRope.getStyle() != RopeStyle::interleaved || keyRope.getStyle() != RopeStyle::interleaved) {
    why = "a rotate_half rope pairs columns i and i + head_dim/2, never two adjacent columns of one "
          "epilogue call (graph-rope-pairs makes them interleaved)";
    return mlir::failure();
  }
  if (queryRope->getAttrDictionary() != keyRope->getAttrDictionary() ||
      queryRope.getPositions() != keyRope.getPositions()) {
    why = "q and k must be rotated with the same positions and attributes";
    return mlir::failure();
  }
  auto cache = mlir::cast<KVCacheType>(append.getCache().getType());
  auto element = mlir::cast<mlir::ShapedType>(via.getType()).getElementType();
  int64_t headDim = cache.getHeadDim(), kvWidth = cache.getKvHeads() * headDim;
  auto width = [](mlir::Value v) { return mlir::cast<mlir::ShapedType>(v.getType()).getShape().back(); };
  if (int64_t(queryRope.getHeadDim()) != headDim || width(results[0]) % headDim != 0 ||
      width(results[1]) != kvWidth || width(results[2]) != kvWidth || cache.getElementType() != element) {
    why = "q, k and v must be whole heads of the kv_cache's head_dim, k and v its KV heads, in its element type";
    return mlir::failure();
  }
  // The tensor-core GEMM families call the epilogue with column pairs; loom::gemmSimt, which
  // tile-tiling picks where no tensor-core family can run (SimtFallback.cpp, by the same rules),
  // stores single columns.
  auto input = mlir::cast<mlir::ShapedType>(group.anchor->getOperand(0).getType());
  int64_t n = mlir::cast<mlir::ShapedType>(via.getType()).getShape().back();
  if (std::string problem = tile::tensorCoreGemmProblem(input.getElementType(), input.getShape().back(), n);
      !problem.empty()) {
    why = "the GEMM runs loom::gemmSimt, which stores single columns, not the column pairs the epilogue "
          "needs: " + problem;
    return mlir::failure();
  }
  return Absorption{{split, queryRope, keyRope, append}, {}, true, std::nullopt};
}

/// A split straight after the GEMM: the gating of a merged gate/up projection, or the rope +
/// KV-append tail of a merged QKV projection.
mlir::FailureOr<Absorption> matchSplit(const Group &group, mlir::Operation *candidate, mlir::Value via,
                                       std::string &why) {
  auto split = mlir::cast<SplitOp>(candidate);
  if (via != group.tail || group.hasEpilogue) {
    why = "a split must directly follow the GEMM";
    return mlir::failure();
  }
  std::string gatingWhy, ropeWhy;
  if (auto gating = matchGating(group, split, via, gatingWhy); mlir::succeeded(gating))
    return gating;
  if (auto rope = matchRopeKvTail(group, split, via, ropeWhy); mlir::succeeded(rope))
    return rope;
  why = split.getNumResults() == 3 ? ropeWhy : gatingWhy;
  return mlir::failure();
}

/// A rope or kv_append joins a GEMM group only with the split of its QKV projection.
mlir::FailureOr<Absorption> matchOnlyThroughSplit(const Group &, mlir::Operation *, mlir::Value,
                                                  std::string &why) {
  why = "it joins only as part of the split -> rope(q), rope(k) -> kv_append tail of a merged QKV "
        "projection";
  return mlir::failure();
}

/// How an rms_norm is folded into the GEMM it feeds: the gain can go into the weight only when
/// both are load-time weights.
struct PrologueChoice {
  bool gainIsWeight;
  bool gemmWeightIsWeight;
  GemmPrologue strategy;
};
constexpr PrologueChoice kPrologueChoices[] = {
    {true, true, GemmPrologue::row_scale_folded_gain},
    {true, false, GemmPrologue::normalize_tiles},
    {false, true, GemmPrologue::normalize_tiles},
    {false, false, GemmPrologue::normalize_tiles},
};

bool isWeight(mlir::Value value) { return mlir::isa_and_nonnull<WeightOp>(value.getDefiningOp()); }

/// An rms_norm whose rows are the GEMM's rows (its input operand, normalised over K).
mlir::FailureOr<Absorption> matchNormPrologue(const Group &group, mlir::Operation *candidate,
                                              mlir::Value via, std::string &why) {
  if (group.anchor->getOperand(0) != via) {
    why = "it feeds the GEMM's weight operand, whose last axis is not the GEMM's K rows";
    return mlir::failure();
  }
  if (group.prologue) {
    why = "the GEMM already has a prologue";
    return mlir::failure();
  }
  auto norm = mlir::cast<RMSNormOp>(candidate);
  bool gainIsWeight = isWeight(norm.getWeight());
  bool gemmWeightIsWeight = isWeight(group.anchor->getOperand(1));
  const PrologueChoice *choice = llvm::find_if(kPrologueChoices, [&](const PrologueChoice &c) {
    return c.gainIsWeight == gainIsWeight && c.gemmWeightIsWeight == gemmWeightIsWeight;
  });
  return Absorption{{candidate}, {}, false, choice->strategy};
}

/// The residual add whose sum an rms_norm normalises; the sum stays a result (residual stream).
mlir::FailureOr<Absorption> matchResidualIntoNorm(const Group &group, mlir::Operation *candidate,
                                                  mlir::Value via, std::string &why) {
  if (group.anchor->getOperand(0) != via) {
    why = "it feeds the norm's gain, not the rows it normalises";
    return mlir::failure();
  }
  return Absorption{{candidate}, {}, false, std::nullopt};
}

using FK = FusionKind;
constexpr SeedRule kSeeds[] = {
    {OpClass::Gemm, FK::gemm},
    {OpClass::RmsNorm, FK::norm},
    {OpClass::Add, FK::elementwise},
    {OpClass::Mul, FK::elementwise},
    {OpClass::Activation, FK::elementwise},
    {OpClass::Cast, FK::elementwise},
};

const AbsorbRule kAbsorbRules[] = {
    // group          side             absorbs               role                            escape enabled matcher
    {FK::gemm, Side::Consumer, OpClass::Split, "split epilogue (gating or rope + KV-append)", false, true, matchSplit},
    {FK::gemm, Side::Consumer, OpClass::Activation, "activation epilogue", false, true, matchEpilogue},
    {FK::gemm, Side::Consumer, OpClass::Add, "residual add epilogue", false, true, matchEpilogue},
    {FK::gemm, Side::Consumer, OpClass::Cast, "cast epilogue", false, true, matchEpilogue},
    {FK::gemm, Side::Producer, OpClass::RmsNorm, "rms_norm prologue", false, true, matchNormPrologue},
    {FK::gemm, Side::Consumer, OpClass::Rope, "rope epilogue of the QKV projection", false, true, matchOnlyThroughSplit},
    {FK::gemm, Side::Consumer, OpClass::KVAppend, "kv_append epilogue of the QKV projection", false, true, matchOnlyThroughSplit},
    {FK::norm, Side::Producer, OpClass::Add, "residual add before the norm", true, true, matchResidualIntoNorm},
    {FK::elementwise, Side::Producer, OpClass::Add, "elementwise chain", false, true, matchElementwise},
    {FK::elementwise, Side::Producer, OpClass::Mul, "elementwise chain", false, true, matchElementwise},
    {FK::elementwise, Side::Producer, OpClass::Activation, "elementwise chain", false, true, matchElementwise},
    {FK::elementwise, Side::Producer, OpClass::Cast, "elementwise chain", false, true, matchElementwise},
    {FK::elementwise, Side::Consumer, OpClass::Add, "elementwise chain", false, true, matchElementwise},
    {FK::elementwise, Side::Consumer, OpClass::Mul, "elementwise chain", false, true, matchElementwise},
    {FK::elementwise, Side::Consumer, OpClass::Activation, "elementwise chain", false, true, matchElementwise},
    {FK::elementwise, Side::Consumer, OpClass::Cast, "elementwise chain", false, true, matchElementwise},
};

} // namespace

OpClass classify(mlir::Operation *op) {
  llvm::StringRef name = op->getName().getStringRef();
  const NamedClass *entry =
      llvm::find_if(kOpClasses, [&](const NamedClass &c) { return c.name == name; });
  return entry == std::end(kOpClasses) ? OpClass::Other : entry->opClass;
}

llvm::ArrayRef<SeedRule> seedRules() { return kSeeds; }
llvm::ArrayRef<AbsorbRule> absorbRules() { return kAbsorbRules; }

} // namespace loom::graph::fusion

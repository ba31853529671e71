// Lowering of GEMM groups: (rms_norm prologue) -> linear -> epilogue ops, one output tile per
// program.
//
// How it works: program ids (0, 1) pick the output tile (bm x bn) of Y[M, N] = X[M, K] · W[N, K]ᵀ.
// An rms_norm feeding the linear with the `row_scale_folded_gain` prologue becomes a
// tile.row_scale of X's rows (the gain is folded into a derived weight the runtime builds:
// W'[n, k] = W[n, k] · gain[k]). tile.dot accumulates the tile in f32; the linear's bias and
// each following op are maps on the accumulator (bias as a [bn] tile, residuals as [bm, bn]
// tiles); the last value is stored masked by M and N. A merged gate/up projection (linear ->
// split in halves -> act(gate) -> mul(., up)) is one dot over the [2F, K] weight marked with its
// gating activation (loom.gating), N = F: the device library combines act(gate) · up per output.
// A merged QKV projection's split -> rope(q), rope(k) -> kv_append tail is stored through the
// rope + KV-append epilogue (GemmRopeKvTail.cpp).
#include "compiler/Conversion/GraphToTile/GroupLowering.h"
#include "compiler/Transforms/Tile/KernelAnalysis.h"

namespace loom::conversion {

namespace {

/// docs/package.md: {scale = {axis = 1, of = [W, g]}} — W[n, k] * g[k]; a hoisted W or g
/// contributes its own recipe, since only checkpoint tensors can be named.
mlir::DictionaryAttr scaleColumnsRecipe(mlir::Builder &b, graph::WeightOp weight,
                                        graph::WeightOp gain) {
  auto entry = [](graph::WeightOp w) -> mlir::Attribute {
    if (auto recipe = w->getAttrOfType<mlir::DictionaryAttr>("loom.recipe"))
      return recipe;
    return w.getNameAttr();
  };
  auto body = b.getDictionaryAttr({b.getNamedAttr("axis", b.getI64IntegerAttr(1)),
                                   b.getNamedAttr("of", b.getArrayAttr({entry(weight), entry(gain)}))});
  return b.getDictionaryAttr({b.getNamedAttr("scale", body)});
}


using tile::MapKind;

/// Epilogue ops and the map each becomes (binary ops read the other operand as a tile).
std::optional<MapKind> epilogueKind(mlir::Operation *op) {
  if (mlir::isa<graph::AddOp>(op))
    return MapKind::add;
  if (mlir::isa<graph::SiluOp>(op))
    return MapKind::silu;
  if (auto gelu = mlir::dyn_cast<graph::GeluOp>(op))
    return gelu.getApproximate() == graph::GeluApproximation::tanh ? MapKind::gelu_tanh
                                                                  : MapKind::gelu_erf;
  if (mlir::isa<graph::CastOp>(op))
    return MapKind::cast;
  return std::nullopt;
}

/// A merged gate/up tail: split(y) into halves [gate, up] -> act(gate) -> mul(act, up).
struct GatedTail {
  MapKind activation;
  mlir::Operation *mul;
};

/// The gated tail at the front of `ops` (the ops after the linear `linear`), if it is one.
std::optional<GatedTail> matchGatedTail(graph::LinearOp linear, llvm::ArrayRef<mlir::Operation *> ops) {
  if (ops.size() < 3)
    return std::nullopt;
  auto split = mlir::dyn_cast<graph::SplitOp>(ops[0]);
  if (!split || split.getInput() != linear.getResult() || split.getNumResults() != 2)
    return std::nullopt;
  mlir::Value gate = split.getResult(0), up = split.getResult(1);
  auto activation = epilogueKind(ops[1]);
  bool activates = activation && (*activation == MapKind::silu || *activation == MapKind::gelu_tanh ||
                                  *activation == MapKind::gelu_erf) && ops[1]->getOperand(0) == gate;
  auto mul = mlir::dyn_cast<graph::MulOp>(ops[2]);
  if (!activates || !mul)
    return std::nullopt;
  mlir::Value activated = ops[1]->getResult(0);
  bool combines = (mul.getLhs() == activated && mul.getRhs() == up) ||
                  (mul.getRhs() == activated && mul.getLhs() == up);
  if (!combines || gate.getType() != up.getType())
    return std::nullopt;
  return GatedTail{*activation, mul};
}

class GemmProgram {
public:
  explicit GemmProgram(KernelBuilder &kernel) : kernel_(kernel), group_(kernel.group()) {}
  mlir::LogicalResult run();

private:
  mlir::InFlightDiagnostic unsupported(mlir::Operation *op, llvm::StringRef why) {
    return group_.anchor->emitOpError() << "cannot lower " << op->getName() << " in GEMM group '"
                                        << group_.name << "' (ops: " << describeOps(group_)
                                        << "): " << why;
  }
  /// The weight operand's name and, with a folded gain, the derived weight's name.
  mlir::FailureOr<std::string> weightName(graph::LinearOp linear, graph::RMSNormOp norm);
  mlir::FailureOr<mlir::Value> epilogueOperand(mlir::Value inner);

  KernelBuilder &kernel_;
  const Group &group_;
  mlir::Value m_, n_, programM_, programN_;
};

mlir::FailureOr<std::string> GemmProgram::weightName(graph::LinearOp linear, graph::RMSNormOp norm) {
  auto weight = group_.outerInput(linear.getWeight()).getDefiningOp<graph::WeightOp>();
  if (!norm)
    return std::string();
  auto gain = group_.outerInput(norm.getWeight()).getDefiningOp<graph::WeightOp>();
  if (!weight || !gain)
    return unsupported(norm, "folding the norm gain needs the gain and the GEMM weight to be graph.weight");
  mlir::Builder b(linear.getContext());
  std::string derived = ("loom.scaled." + weight.getName()).str();
  auto type = weight.getResult().getType();
  kernel_.plan().addDerivedWeight(b.getDictionaryAttr(
      {b.getNamedAttr("name", b.getStringAttr(derived)),
       b.getNamedAttr("dtype", b.getStringAttr(PackagePlan::dtypeName(type.getElementType()))),
       b.getNamedAttr("shape", b.getI64ArrayAttr(type.getShape())),
       b.getNamedAttr("recipe", scaleColumnsRecipe(b, weight, gain))}));
  return derived;
}

mlir::FailureOr<mlir::Value> GemmProgram::epilogueOperand(mlir::Value inner) {
  mlir::Value outer = group_.outerInput(inner);
  auto type = mlir::cast<mlir::RankedTensorType>(inner.getType());
  mlir::OpBuilder &b = kernel_.builder();
  bool row = type.getRank() == 1;
  auto pointer = kernel_.pointer(outer, row ? "bias" : "residual");
  if (mlir::failed(pointer))
    return mlir::failure();
  llvm::SmallVector<mlir::Value> indices = row ? llvm::SmallVector<mlir::Value>{programN_}
                                               : llvm::SmallVector<mlir::Value>{programM_, programN_};
  llvm::SmallVector<mlir::Value> bounds = row ? llvm::SmallVector<mlir::Value>{n_}
                                              : llvm::SmallVector<mlir::Value>{m_, n_};
  llvm::SmallVector<int64_t> shape(type.getRank(), mlir::ShapedType::kDynamic);
  return mlir::Value(tile::LoadOp::create(
      b, kernel_.loc(), mlir::RankedTensorType::get(shape, b.getF32Type()), *pointer, indices, bounds,
      row ? b.getStrArrayAttr({"bn"}) : b.getStrArrayAttr({"bm", "bn"}),
      row ? tile::Layout::row : tile::Layout::mma));
}

mlir::LogicalResult GemmProgram::run() {
  llvm::ArrayRef<mlir::Operation *> ops = group_.ops;
  auto norm = mlir::dyn_cast<graph::RMSNormOp>(ops.front());
  if (norm) {
    if (group_.prologue != graph::GemmPrologue::row_scale_folded_gain)
      return unsupported(norm, "only the row_scale_folded_gain prologue has a device-library GEMM");
    ops = ops.drop_front();
  }
  auto linear = ops.empty() ? graph::LinearOp() : mlir::dyn_cast<graph::LinearOp>(ops.front());
  if (!linear)
    return unsupported(ops.empty() ? group_.anchor : ops.front(),
                       "a GEMM group is [rms_norm,] linear, then epilogue ops");
  if (norm && linear.getInput() != norm.getResult())
    return unsupported(norm, "the norm must feed the linear's input");
  llvm::ArrayRef<mlir::Operation *> epilogue = ops.drop_front();
  std::optional<RopeKvTail> ropeKv = matchRopeKvTail(linear, epilogue);
  if (!ropeKv && (group_.outputs.size() != 1 || group_.outputs[0] != group_.ops.back()->getResult(0)))
    return unsupported(linear, "a GEMM group yields exactly its last value");
  if (norm && llvm::count_if(norm.getResult().getUsers(), [](auto *) { return true; }) != 1)
    return unsupported(norm, "the normalized rows are used outside the GEMM");

  mlir::Value x = group_.outerInput(norm ? norm.getInput() : linear.getInput());
  auto derived = weightName(linear, norm);
  if (mlir::failed(derived))
    return mlir::failure();
  auto xPointer = kernel_.pointer(x, "x");
  auto wPointer = kernel_.pointer(group_.outerInput(linear.getWeight()), "w", *derived);
  auto xExtents = kernel_.extents(x);
  if (mlir::failed(xPointer) || mlir::failed(wPointer) || mlir::failed(xExtents))
    return mlir::failure();
  auto wType = linear.getWeight().getType();
  mlir::OpBuilder &b = kernel_.builder();
  std::optional<GatedTail> gated = matchGatedTail(linear, epilogue);
  if (gated && linear.getBias())
    return unsupported(linear, "a merged gate/up GEMM with a bias has no device-library epilogue");
  if (!gated && !ropeKv && !epilogue.empty() && mlir::isa<graph::SplitOp>(epilogue.front()))
    return unsupported(epilogue.front(), "a split after a GEMM lowers only as the gated tail "
                                         "split -> silu/gelu(gate) -> mul(., up) or the rope + "
                                         "KV-append tail split -> rope(q), rope(k) -> kv_append");
  m_ = (*xExtents)[0];
  // Gated: W is [2F, K] (gate rows, then up rows) and the GEMM writes F outputs per row.
  n_ = kernel_.constantI32(wType.getDimSize(0) / (gated ? 2 : 1));
  mlir::Value k = kernel_.constantI32(wType.getDimSize(1));
  programM_ = kernel_.programId(0);
  programN_ = kernel_.programId(1);

  mlir::Value scale;
  if (norm)
    scale = tile::RowScaleOp::create(
        b, kernel_.loc(), mlir::RankedTensorType::get({mlir::ShapedType::kDynamic, 1}, b.getF32Type()),
        *xPointer, programM_, m_, k, norm.getEpsAttr());
  auto accType = mlir::RankedTensorType::get({mlir::ShapedType::kDynamic, mlir::ShapedType::kDynamic},
                                             b.getF32Type());
  mlir::Value value = tile::DotOp::create(b, kernel_.loc(), accType, *xPointer, programM_, *wPointer,
                                          programN_, m_, n_, k, scale, mlir::Value(), mlir::StringAttr());
  mlir::Value running = linear.getResult();
  if (gated) {
    value.getDefiningOp()->setAttr(tile::kGatingAttrName,
                                   b.getStringAttr(tile::stringifyMapKind(gated->activation)));
    running = gated->mul->getResult(0);
    epilogue = epilogue.drop_front(3);
  }
  if (mlir::Value bias = linear.getBias()) {
    auto biasTile = epilogueOperand(bias);
    if (mlir::failed(biasTile))
      return mlir::failure();
    value = tile::MapOp::create(b, kernel_.loc(), accType, MapKind::add, mlir::ValueRange{value, *biasTile});
  }
  if (ropeKv) // the rotated q, k and v leave through the rope + KV-append epilogue
    return storeRopeKvTail(kernel_, *ropeKv, value, mlir::ValueRange{programM_, programN_},
                           mlir::ValueRange{m_, n_});
  for (mlir::Operation *op : epilogue) {
    auto kind = epilogueKind(op);
    if (!kind)
      return unsupported(op, "not an epilogue the device library has (bias, residual add, silu, gelu, cast)");
    if (*kind == MapKind::cast && op != group_.ops.back())
      return unsupported(op, "a cast is only an epilogue as the last op (the store's rounding)");
    llvm::SmallVector<mlir::Value> operands = {value};
    for (mlir::Value operand : op->getOperands()) {
      if (operand == running)
        continue;
      auto other = epilogueOperand(operand);
      if (mlir::failed(other))
        return mlir::failure();
      operands.push_back(*other);
    }
    if (operands.size() != op->getNumOperands())
      return unsupported(op, "an epilogue op must read the GEMM's running value");
    auto element = *kind == MapKind::cast
                       ? mlir::cast<mlir::RankedTensorType>(op->getResult(0).getType()).getElementType()
                       : b.getF32Type();
    value = tile::MapOp::create(b, kernel_.loc(), mlir::RankedTensorType::get(accType.getShape(), element),
                                *kind, operands);
    running = op->getResult(0);
  }
  auto yPointer = kernel_.pointer(group_.outerOutput(0), "y");
  if (mlir::failed(yPointer))
    return mlir::failure();
  tile::StoreOp::create(b, kernel_.loc(), value, *yPointer, mlir::ValueRange{programM_, programN_},
                        mlir::ValueRange{m_, n_}, b.getStrArrayAttr({"bm", "bn"}), tile::Layout::mma);
  return mlir::success();
}

} // namespace

mlir::LogicalResult lowerGemmGroup(KernelBuilder &kernel) {
  if (mlir::isa<graph::MatmulOp>(kernel.group().ops.front()))
    return lowerMatmulGroup(kernel);
  return GemmProgram(kernel).run();
}

} // namespace loom::conversion

// graph-rope-pairs: rotate-half ropes of q and k become interleaved ropes over per-head permuted projection rows.
//
// How it works: attention scores q·k are unchanged when q and k are permuted the same way within
// each head, and rotate-half rope pairs (i, i + D/2) are the interleaved pairs (2i, 2i + 1) after
// the permutation new 2i <- old i, new 2i + 1 <- old i + D/2. Applied to the rows of the weight
// (and bias) that produce q and k, the projection itself yields the permuted order, so the ropes
// can rotate adjacent columns — what a GEMM epilogue receives as one pair. The permutation is
// written as graph ops on the weight (reshape [H, 2, D/2, K] -> transpose [0, 2, 1, 3] -> reshape
// [H·D, K]), so the rewritten graph is still a correct program for the CPU interpreter, and
// graph-hoist-weights folds it into the weight's load-time recipe.
#include "compiler/Transforms/Graph/Passes.h"
#include "dialects/Graph/IR/GraphOps.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLExtras.h"

#include <string>

namespace loom::graph {

#define GEN_PASS_DEF_GRAPHROPEPAIRSPASS
#include "compiler/Transforms/Graph/Passes.h.inc"

namespace {

/// The operand slots whose rows produce one roped tensor: the weight and, if any, the bias.
struct RowSource {
  mlir::OpOperand *weight = nullptr;
  mlir::OpOperand *bias = nullptr;
};

/// The operand of `concat` (axis 0) holding rows [begin, begin + rows), when one operand is exactly
/// that range; null otherwise.
mlir::OpOperand *concatPiece(ConcatOp concat, int64_t begin, int64_t rows) {
  if (concat.getAxis() != 0)
    return nullptr;
  int64_t start = 0;
  for (mlir::OpOperand &operand : concat->getOpOperands()) {
    int64_t extent = mlir::cast<mlir::ShapedType>(operand.get().getType()).getDimSize(0);
    if (start == begin && extent == rows)
      return &operand;
    start += extent;
  }
  return nullptr;
}

/// The rows of `slot` (a linear's weight or bias operand) that produce output columns
/// [begin, begin + columns): the whole operand, or the matching piece of a graph.concat that
/// feeds only this slot (another reader of the concat would see the permuted rows).
mlir::FailureOr<mlir::OpOperand *> rowsOf(mlir::OpOperand &slot, int64_t begin, int64_t columns, int64_t total,
                                          llvm::StringRef what, std::string &why) {
  if (begin == 0 && columns == total)
    return &slot;
  auto concat = slot.get().getDefiningOp<ConcatOp>();
  mlir::OpOperand *piece = concat ? concatPiece(concat, begin, columns) : nullptr;
  if (!piece) {
    why = ("the linear's " + what + " for it are not one operand of a graph.concat along axis 0").str();
    return mlir::failure();
  }
  if (!concat->hasOneUse()) {
    why = ("the graph.concat of the linear's " + what + " has other users, who would see the permuted order").str();
    return mlir::failure();
  }
  return piece;
}

/// Where the rows of a rope's input come from: a linear's result, or a piece of a split of one.
mlir::FailureOr<RowSource> findRowSource(mlir::Value input, std::string &why) {
  if (!input.hasOneUse()) {
    why = "its input has other users, who would see the permuted order";
    return mlir::failure();
  }
  int64_t begin = 0;
  int64_t columns = mlir::cast<mlir::ShapedType>(input.getType()).getShape().back();
  mlir::Value produced = input;
  if (auto split = input.getDefiningOp<SplitOp>()) {
    if (static_cast<int64_t>(split.getAxis()) != mlir::cast<mlir::ShapedType>(input.getType()).getRank() - 1) {
      why = "its input is a split along another axis than the last";
      return mlir::failure();
    }
    for (mlir::Value piece : split.getResults()) {
      if (piece == input)
        break;
      begin += mlir::cast<mlir::ShapedType>(piece.getType()).getShape().back();
    }
    produced = split.getInput();
    if (!produced.hasOneUse()) {
      why = "the linear's result has other users than the split, who would see the permuted order";
      return mlir::failure();
    }
  }
  auto linear = produced.getDefiningOp<LinearOp>();
  if (!linear) {
    why = "its input is not a linear projection (or a split of one)";
    return mlir::failure();
  }
  int64_t total = linear.getWeight().getType().getDimSize(0);
  RowSource source;
  auto weight = rowsOf(linear->getOpOperand(1), begin, columns, total, "weight rows", why);
  if (mlir::failed(weight))
    return mlir::failure();
  source.weight = *weight;
  if (linear.getBias()) {
    auto bias = rowsOf(linear->getOpOperand(2), begin, columns, total, "bias entries", why);
    if (mlir::failed(bias))
      return mlir::failure();
    source.bias = *bias;
  }
  // Only load-time weights: graph-hoist-weights folds the permutation into their recipe, while
  // a permuted activation (e.g. a weight passed as an argument) would need kernels of its own.
  for (mlir::OpOperand *slot : {source.weight, source.bias})
    if (slot && !slot->get().getDefiningOp<WeightOp>()) {
      why = "its projection rows are not a graph.weight (only load-time weights are permuted)";
      return mlir::failure();
    }
  return source;
}

/// Whether every user of `value` is an op of type OpTy reading it as operand `index`.
template <typename OpTy> bool onlyReadAs(mlir::Value value, unsigned index) {
  return !value.use_empty() && llvm::all_of(value.getUses(), [&](mlir::OpOperand &use) {
    return mlir::isa<OpTy>(use.getOwner()) && use.getOperandNumber() == index;
  });
}

/// A q rope and a k rope whose orders nothing but one attention observes.
struct RopePair {
  RopeOp query, key;
  RowSource querySource, keySource;
};

/// How many paged_attention and kv_append ops of the whole module touch each cache layer: the
/// permuted K lives in the persistent pool, so one other reader or writer of its layer would mix orders.
struct LayerUsers {
  llvm::DenseMap<uint64_t, int> attentions, appends;

  explicit LayerUsers(mlir::ModuleOp module) {
    module.walk([&](PagedAttentionOp op) { ++attentions[op.getLayer()]; });
    module.walk([&](KVAppendOp op) { ++appends[op.getLayer()]; });
  }

  /// Whether `attention` and `append` are the only ops of the module touching their layer.
  bool onlyUsers(PagedAttentionOp attention, KVAppendOp append) const {
    return attentions.lookup(attention.getLayer()) == 1 && appends.lookup(append.getLayer()) == 1;
  }
};

/// The pair of the query rope `query`, or why there is none.
mlir::FailureOr<RopePair> matchPair(RopeOp query, const LayerUsers &layerUsers, std::string &why) {
  if (!onlyReadAs<PagedAttentionOp>(query.getResult(), 0)) {
    why = "the rotated value is read by something other than paged_attention's query";
    return mlir::failure();
  }
  if (!query.getResult().hasOneUse()) {
    why = "the rotated value feeds more than one attention";
    return mlir::failure();
  }
  auto attention = mlir::cast<PagedAttentionOp>(*query.getResult().getUsers().begin());
  auto append = attention.getCache().getDefiningOp<KVAppendOp>();
  if (!append || append.getLayer() != attention.getLayer()) {
    why = "its attention does not read the cache straight from the kv_append of its layer";
    return mlir::failure();
  }
  if (!layerUsers.onlyUsers(attention, append)) {
    why = "another paged_attention or kv_append of the module uses its cache layer, which would see the permuted K";
    return mlir::failure();
  }
  auto key = append.getKey().getDefiningOp<RopeOp>();
  if (!key || !onlyReadAs<KVAppendOp>(key.getResult(), 1) || !key.getResult().hasOneUse()) {
    why = "the appended key is not a rope read only by that kv_append";
    return mlir::failure();
  }
  if (key.getStyle() != RopeStyle::rotate_half || key.getHeadDim() != query.getHeadDim() ||
      key.getHeadDim() != attention.getHeadDim() || key.getPositions() != query.getPositions()) {
    why = "the key's rope differs (style, head_dim or positions) from the query's";
    return mlir::failure();
  }
  std::string part;
  auto querySource = findRowSource(query.getInput(), part);
  if (mlir::failed(querySource)) {
    why = "query: " + part;
    return mlir::failure();
  }
  auto keySource = findRowSource(key.getInput(), part);
  if (mlir::failed(keySource)) {
    why = "key: " + part;
    return mlir::failure();
  }
  return RopePair{query, key, *querySource, *keySource};
}

/// `rows` ([H·D] or [H·D, K]) with each head's rows reordered from (i, i + D/2) pairs to
/// adjacent pairs: reshape to [H, 2, D/2, ...], swap the two middle axes, reshape back.
mlir::Value interleaveHeads(mlir::OpBuilder &b, mlir::Location loc, mlir::Value rows, int64_t headDim) {
  auto type = mlir::cast<mlir::RankedTensorType>(rows.getType());
  llvm::SmallVector<int64_t> split = {type.getDimSize(0) / headDim, 2, headDim / 2};
  llvm::SmallVector<int64_t> swapped = {split[0], split[2], split[1]};
  llvm::SmallVector<int64_t> permutation = {0, 2, 1};
  if (type.getRank() == 2) {
    split.push_back(type.getDimSize(1));
    swapped.push_back(type.getDimSize(1));
    permutation.push_back(3);
  }
  mlir::Type element = type.getElementType();
  mlir::Value grouped = ReshapeOp::create(b, loc, mlir::RankedTensorType::get(split, element), rows);
  mlir::Value moved = TransposeOp::create(b, loc, mlir::RankedTensorType::get(swapped, element), grouped,
                                          b.getDenseI64ArrayAttr(permutation));
  return ReshapeOp::create(b, loc, type, moved);
}

/// Reorders the rows behind `source` and makes `rope` interleaved.
void rewrite(RopeOp rope, const RowSource &source) {
  int64_t headDim = rope.getHeadDim();
  for (mlir::OpOperand *slot : {source.weight, source.bias}) {
    if (!slot)
      continue;
    mlir::OpBuilder b(slot->getOwner());
    slot->set(interleaveHeads(b, rope.getLoc(), slot->get(), headDim));
  }
  rope.setStyle(RopeStyle::interleaved);
}

struct GraphRopePairsPass final : impl::GraphRopePairsPassBase<GraphRopePairsPass> {
  using GraphRopePairsPassBase::GraphRopePairsPassBase;

  void runOnOperation() override {
    llvm::SmallVector<RopePair> pairs;
    LayerUsers layerUsers(getOperation());
    getOperation().walk([&](RopeOp rope) {
      // Interleaved already, or the key of a pair (rewritten with its query).
      if (rope.getStyle() != RopeStyle::rotate_half || onlyReadAs<KVAppendOp>(rope.getResult(), 1))
        return;
      std::string why;
      auto pair = matchPair(rope, layerUsers, why);
      if (mlir::succeeded(pair))
        pairs.push_back(*pair);
      else if (explain)
        rope.emitRemark() << "rope-pairs: kept rotate_half: " << why;
    });
    for (RopePair &pair : pairs) {
      rewrite(pair.query, pair.querySource);
      rewrite(pair.key, pair.keySource);
      if (explain)
        pair.query.emitRemark() << "rope-pairs: q and k rows permuted per head, ropes interleaved";
    }
  }
};

} // namespace
} // namespace loom::graph

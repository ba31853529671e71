// Lowering of elementwise (vector tiles) and row groups (norms, gathers, softmax, argmax).
//
// How it works: a group input becomes a masked tile load the first time an op reads it;
// each graph op is rewritten by its entry in a table into tile.map / tile.reduce /
// tile.gather ops on those tiles (statistics in f32, reductions keep their axis); each
// output is stored with the same tiling. Elementwise groups flatten [tokens, H] into one
// vector of tokens * H elements ("block" per program); the other families take "rows" whole
// rows per program.
#include "compiler/Conversion/GraphToTile/GroupLowering.h"

#include "llvm/ADT/StringMap.h"

namespace loom::conversion {

namespace {

using tile::MapKind;
using tile::ReduceKind;

class RowProgram {
public:
  RowProgram(KernelBuilder &kernel, bool vector) : kernel_(kernel), vector_(vector) {}

  mlir::LogicalResult run();

  /// The tile of an inner value (loading a group input on first use).
  mlir::FailureOr<mlir::Value> tileOf(mlir::Value inner, llvm::StringRef role = {});
  mlir::Value map(MapKind kind, mlir::ValueRange operands, mlir::Type elementType = {});
  mlir::Value reduce(ReduceKind kind, mlir::Value input);
  mlir::LogicalResult define(mlir::Value inner, mlir::FailureOr<mlir::Value> tile);
  KernelBuilder &kernel() { return kernel_; }

private:
  /// The tiling of a tensor: shape names, tile indices and bounds, the tile's type.
  struct Tiling {
    std::vector<std::string> shape;
    llvm::SmallVector<mlir::Value> indices, bounds;
    mlir::ArrayAttr shapeAttr(mlir::Builder &b) const {
      return b.getStrArrayAttr(llvm::SmallVector<llvm::StringRef>(shape.begin(), shape.end()));
    }
    mlir::RankedTensorType type;
  };
  mlir::FailureOr<Tiling> tilingOf(mlir::Value outer, mlir::Type element, int64_t rank);

  KernelBuilder &kernel_;
  bool vector_;
  llvm::DenseMap<mlir::Value, mlir::Value> tiles_;
};

mlir::RankedTensorType broadcastType(mlir::ValueRange operands, mlir::Type element) {
  mlir::RankedTensorType widest;
  for (mlir::Value operand : operands)
    if (auto type = mlir::dyn_cast<mlir::RankedTensorType>(operand.getType()))
      if (!widest || type.getRank() > widest.getRank() ||
          (type.getRank() == widest.getRank() && widest.getShape().back() == 1))
        widest = type;
  return mlir::RankedTensorType::get(widest.getShape(), element);
}

mlir::FailureOr<RowProgram::Tiling> RowProgram::tilingOf(mlir::Value outer, mlir::Type element,
                                                         int64_t rank) {
  auto extents = kernel_.extents(outer);
  if (mlir::failed(extents))
    return mlir::failure();
  llvm::ArrayRef<std::string> names = kernel_.plan().extents(outer);
  mlir::OpBuilder &b = kernel_.builder();
  Tiling tiling;
  bool rowsDynamic = !names.empty() && !llvm::all_of(names[0], llvm::isDigit);
  if (vector_) {
    mlir::Value count = (*extents)[0];
    for (mlir::Value extent : llvm::drop_begin(*extents))
      count = mlir::arith::MulIOp::create(b, kernel_.loc(), count, extent);
    tiling.shape = {"block"};
    tiling.indices = {kernel_.programId(0)};
    tiling.bounds = {count};
    tiling.type = mlir::RankedTensorType::get({mlir::ShapedType::kDynamic}, element);
    return tiling;
  }
  // Rows: a dynamic leading dim is split into "rows" per program; static tensors are whole.
  llvm::SmallVector<int64_t> shape;
  for (auto [d, name] : llvm::enumerate(names)) {
    bool tiled = d == 0 && rowsDynamic;
    tiling.shape.push_back(tiled ? "rows" : name);
    tiling.indices.push_back(tiled ? kernel_.programId(0) : kernel_.constantI32(0));
    tiling.bounds.push_back((*extents)[d]);
    shape.push_back(tiled ? mlir::ShapedType::kDynamic : std::stoll(name));
  }
  // A tile of higher rank than the tensor (a kept reduction axis) is stored as [rows, 1].
  for (int64_t d = names.size(); d < rank; ++d) {
    tiling.shape.push_back("1");
    tiling.indices.push_back(kernel_.constantI32(0));
    tiling.bounds.push_back(kernel_.constantI32(1));
    shape.push_back(1);
  }
  tiling.type = mlir::RankedTensorType::get(shape, element);
  return tiling;
}

mlir::FailureOr<mlir::Value> RowProgram::tileOf(mlir::Value inner, llvm::StringRef role) {
  if (mlir::Value tile = tiles_.lookup(inner))
    return tile;
  mlir::Value outer = kernel_.group().outerInput(inner);
  if (outer == inner && inner.getDefiningOp() &&
      llvm::is_contained(kernel_.group().ops, inner.getDefiningOp()))
    return kernel_.group().anchor->emitOpError() << "uses a value before its tile is defined";
  auto type = mlir::cast<mlir::RankedTensorType>(inner.getType());
  mlir::Type element = type.getElementType().isInteger(32) ? type.getElementType()
                                                           : mlir::Type(kernel_.builder().getF32Type());
  bool weight = llvm::StringRef(kernel_.plan().binding(outer)).starts_with("weight:");
  auto pointer = kernel_.pointer(outer, !role.empty() ? role : weight ? "w" : "x");
  auto tiling = tilingOf(outer, element, type.getRank());
  if (mlir::failed(pointer) || mlir::failed(tiling))
    return mlir::failure();
  auto layout = vector_ ? tile::Layout::vector : tile::Layout::row;
  mlir::Value tile = tile::LoadOp::create(
      kernel_.builder(), kernel_.loc(), tiling->type, *pointer, tiling->indices, tiling->bounds,
      tiling->shapeAttr(kernel_.builder()), layout);
  tiles_[inner] = tile;
  return tile;
}

mlir::Value RowProgram::map(MapKind kind, mlir::ValueRange operands, mlir::Type elementType) {
  mlir::OpBuilder &b = kernel_.builder();
  auto type = broadcastType(operands, elementType ? elementType : b.getF32Type());
  return tile::MapOp::create(b, kernel_.loc(), type, kind, operands);
}

mlir::Value RowProgram::reduce(ReduceKind kind, mlir::Value input) {
  auto type = mlir::cast<mlir::RankedTensorType>(input.getType());
  llvm::SmallVector<int64_t> shape(type.getShape());
  shape.back() = 1;
  mlir::OpBuilder &b = kernel_.builder();
  mlir::Type element = kind == ReduceKind::argmax ? mlir::Type(b.getI32Type()) : b.getF32Type();
  return tile::ReduceOp::create(b, kernel_.loc(), mlir::RankedTensorType::get(shape, element),
                                kind, input, type.getRank() - 1);
}

mlir::LogicalResult RowProgram::define(mlir::Value inner, mlir::FailureOr<mlir::Value> tile) {
  if (mlir::failed(tile))
    return mlir::failure();
  tiles_[inner] = *tile;
  return mlir::success();
}

/// The tile rewrite of one graph op: operands' tiles in, the result's tile out.
using OpRewrite = std::function<mlir::FailureOr<mlir::Value>(RowProgram &, mlir::Operation *,
                                                             llvm::ArrayRef<mlir::Value>)>;

OpRewrite mapRewrite(MapKind kind) {
  return [kind](RowProgram &p, mlir::Operation *, llvm::ArrayRef<mlir::Value> tiles) {
    return mlir::FailureOr<mlir::Value>(p.map(kind, tiles));
  };
}

/// x · rsqrt(mean(x²) + eps), the shared core of both norms.
mlir::Value normalize(RowProgram &p, mlir::Value x, float eps) {
  mlir::Value meanSquare = p.reduce(ReduceKind::mean_square, x);
  mlir::Value shifted = p.map(MapKind::add, {meanSquare, p.kernel().constantF32(eps)});
  return p.map(MapKind::mul, {x, p.map(MapKind::rsqrt, shifted)});
}

const llvm::StringMap<OpRewrite> &rowRewrites() {
  static const llvm::StringMap<OpRewrite> rewrites = {
      {"graph.add", mapRewrite(MapKind::add)},
      {"graph.mul", mapRewrite(MapKind::mul)},
      {"graph.silu", mapRewrite(MapKind::silu)},
      {"graph.gelu",
       [](RowProgram &p, mlir::Operation *op, llvm::ArrayRef<mlir::Value> tiles) {
         bool tanh = mlir::cast<graph::GeluOp>(op).getApproximate() == graph::GeluApproximation::tanh;
         return mlir::FailureOr<mlir::Value>(p.map(tanh ? MapKind::gelu_tanh : MapKind::gelu_erf, tiles));
       }},
      {"graph.cast",
       [](RowProgram &p, mlir::Operation *op, llvm::ArrayRef<mlir::Value> tiles) {
         auto element = mlir::cast<mlir::RankedTensorType>(op->getResult(0).getType()).getElementType();
         return mlir::FailureOr<mlir::Value>(p.map(MapKind::cast, tiles, element));
       }},
      {"graph.rms_norm",
       [](RowProgram &p, mlir::Operation *op, llvm::ArrayRef<mlir::Value> tiles) {
         float eps = mlir::cast<graph::RMSNormOp>(op).getEps().convertToFloat();
         return mlir::FailureOr<mlir::Value>(p.map(MapKind::mul, {normalize(p, tiles[0], eps), tiles[1]}));
       }},
      {"graph.layer_norm",
       [](RowProgram &p, mlir::Operation *op, llvm::ArrayRef<mlir::Value> tiles) {
         float eps = mlir::cast<graph::LayerNormOp>(op).getEps().convertToFloat();
         mlir::Value centred = p.map(MapKind::sub, {tiles[0], p.reduce(ReduceKind::mean, tiles[0])});
         mlir::Value scaled = p.map(MapKind::mul, {normalize(p, centred, eps), tiles[1]});
         return mlir::FailureOr<mlir::Value>(tiles.size() > 2 ? p.map(MapKind::add, {scaled, tiles[2]}) : scaled);
       }},
      {"graph.softmax",
       [](RowProgram &p, mlir::Operation *, llvm::ArrayRef<mlir::Value> tiles) {
         mlir::Value shifted = p.map(MapKind::sub, {tiles[0], p.reduce(ReduceKind::max, tiles[0])});
         mlir::Value exponent = p.map(MapKind::exp, {shifted});
         return mlir::FailureOr<mlir::Value>(p.map(MapKind::div, {exponent, p.reduce(ReduceKind::sum, exponent)}));
       }},
      {"graph.argmax",
       [](RowProgram &p, mlir::Operation *, llvm::ArrayRef<mlir::Value> tiles) {
         return mlir::FailureOr<mlir::Value>(p.reduce(ReduceKind::argmax, tiles[0]));
       }},
  };
  return rewrites;
}

/// graph.embedding: the ids are a tile, the table is only a pointer the gather reads.
mlir::FailureOr<mlir::Value> lowerEmbedding(RowProgram &p, graph::EmbeddingOp op) {
  KernelBuilder &kernel = p.kernel();
  auto table = kernel.pointer(kernel.group().outerInput(op.getTable()), "table");
  auto ids = p.tileOf(op.getIds(), "ids");
  if (mlir::failed(ids) || mlir::failed(table))
    return mlir::failure();
  auto tableType = op.getTable().getType();
  auto type = mlir::RankedTensorType::get({mlir::ShapedType::kDynamic, tableType.getDimSize(1)},
                                          tableType.getElementType());
  // A weight table has a static row count; an activation (the logit-row gather over hidden
  // states) has a dynamic one, passed as the parameter of its bounded dim.
  auto rows = kernel.extents(kernel.group().outerInput(op.getTable()));
  if (mlir::failed(rows))
    return mlir::failure();
  // Bad ids are counted in the package's error record, which the executor checks after a step.
  return mlir::Value(tile::GatherOp::create(kernel.builder(), kernel.loc(), type, *table, *ids,
                                            (*rows)[0], kernel.errorRecord()));
}

mlir::LogicalResult RowProgram::run() {
  const Group &group = kernel_.group();
  for (mlir::Operation *op : group.ops) {
    if (auto embedding = mlir::dyn_cast<graph::EmbeddingOp>(op)) {
      if (vector_ || mlir::failed(define(op->getResult(0), lowerEmbedding(*this, embedding))))
        return mlir::failure();
      continue;
    }
    auto rewrite = rowRewrites().find(op->getName().getStringRef());
    if (rewrite == rowRewrites().end() || (vector_ && op->getName().getStringRef().ends_with("norm")))
      return group.anchor->emitOpError() << "has no tile lowering for " << op->getName()
                                         << " in a " << graph::stringifyFusionKind(group.kind)
                                         << " group (ops: " << describeOps(group) << ")";
    llvm::SmallVector<mlir::Value> tiles;
    for (mlir::Value operand : op->getOperands()) {
      auto tile = tileOf(operand);
      if (mlir::failed(tile))
        return mlir::failure();
      tiles.push_back(*tile);
    }
    if (mlir::failed(define(op->getResult(0), rewrite->second(*this, op, tiles))))
      return mlir::failure();
  }
  for (auto [index, inner] : llvm::enumerate(group.outputs)) {
    mlir::Value outer = group.outerOutput(index);
    auto tile = tileOf(inner);
    if (mlir::failed(tile))
      return mlir::failure();
    auto type = mlir::cast<mlir::RankedTensorType>(tile->getType());
    auto pointer = kernel_.pointer(outer, "y");
    auto tiling = tilingOf(outer, type.getElementType(), type.getRank());
    if (mlir::failed(pointer) || mlir::failed(tiling))
      return mlir::failure();
    tile::StoreOp::create(kernel_.builder(), kernel_.loc(), *tile, *pointer, tiling->indices,
                          tiling->bounds, tiling->shapeAttr(kernel_.builder()),
                          vector_ ? tile::Layout::vector : tile::Layout::row);
  }
  return mlir::success();
}

} // namespace

std::string describeOps(const Group &group) {
  std::vector<std::string> names = group.opNames();
  return llvm::join(names, ", ");
}

mlir::LogicalResult lowerRowGroup(KernelBuilder &kernel) {
  RowProgram program(kernel, kernel.group().kind == graph::FusionKind::elementwise);
  return program.run();
}

} // namespace loom::conversion

// Planning of a package: dim propagation, tensor sections, and first-fit arena placement.
#include "compiler/Conversion/GraphToTile/PackagePlan.h"

#include "mlir/IR/Builders.h"

namespace loom::conversion {

namespace {

constexpr int64_t kArenaAlignment = 256;

/// Function attributes that bound the dynamic dims (docs/graph-ops.md).
constexpr std::pair<llvm::StringLiteral, llvm::StringLiteral> kDimBounds[] = {
    {"loom.max_tokens", "tokens"}, {"loom.max_seqs", "seqs"},
    {"loom.max_blocks_per_seq", "blocks_per_seq"}};

/// The operand whose rows a result has: the ids of an embedding, otherwise operand 0.
unsigned rowSourceOperand(mlir::Operation *op) { return mlir::isa<graph::EmbeddingOp>(op) ? 1 : 0; }

/// An arena buffer being placed: its bytes and the launches it lives through.
struct Placement {
  int64_t bytes, first, last, offset = 0;
};

/// First fit: the lowest aligned offset not overlapping any buffer alive at the same time.
int64_t placeBuffers(llvm::MutableArrayRef<Placement> buffers) {
  int64_t arena = 0;
  for (size_t i = 0; i < buffers.size(); ++i) {
    int64_t offset = 0;
    for (bool moved = true; moved;) {
      moved = false;
      for (size_t j = 0; j < i; ++j) {
        bool together = buffers[j].first <= buffers[i].last && buffers[i].first <= buffers[j].last;
        bool overlap = offset < buffers[j].offset + buffers[j].bytes &&
                       buffers[j].offset < offset + buffers[i].bytes;
        if (together && overlap) {
          offset = llvm::alignTo(buffers[j].offset + buffers[j].bytes, kArenaAlignment);
          moved = true;
        }
      }
    }
    buffers[i].offset = offset;
    arena = std::max(arena, offset + buffers[i].bytes);
  }
  return llvm::alignTo(arena, kArenaAlignment);
}

/// Elements of one row of a 2-D tensor (its last extent), or of every dimension after the first.
int64_t rowElements(mlir::Value value) {
  int64_t elements = 1;
  for (int64_t extent : mlir::cast<mlir::RankedTensorType>(value.getType()).getShape().drop_front())
    elements *= extent;
  return elements;
}

mlir::ArrayAttr shapeAttr(mlir::Builder &builder, llvm::ArrayRef<std::string> extents) {
  llvm::SmallVector<mlir::Attribute> shape;
  for (const std::string &extent : extents) {
    int64_t value;
    if (!llvm::StringRef(extent).getAsInteger(10, value))
      shape.push_back(builder.getI64IntegerAttr(value));
    else
      shape.push_back(builder.getStringAttr(extent));
  }
  return builder.getArrayAttr(shape);
}

} // namespace

llvm::StringRef PackagePlan::dtypeName(mlir::Type element) {
  if (element.isBF16())
    return "bf16";
  if (element.isF16())
    return "f16";
  if (element.isF32())
    return "f32";
  return element.isInteger(64) ? "i64" : "i32";
}

llvm::ArrayRef<std::string> PackagePlan::extents(mlir::Value value) const {
  auto it = extents_.find(value);
  return it == extents_.end() ? llvm::ArrayRef<std::string>() : llvm::ArrayRef(it->second);
}

bool PackagePlan::isViewOp(mlir::Operation *op) {
  return mlir::isa<graph::SplitOp, graph::RopeOp, graph::ReshapeOp>(op);
}

std::optional<ColumnView> PackagePlan::view(mlir::Value value) const {
  auto it = views_.find(value);
  return it == views_.end() ? std::nullopt : std::optional<ColumnView>(it->second);
}

std::string PackagePlan::binding(mlir::Value outer) const {
  auto it = bindings_.find(outer);
  return it == bindings_.end() ? std::string() : it->second;
}

std::optional<int64_t> PackagePlan::bound(llvm::StringRef extent) const {
  int64_t value;
  if (!extent.getAsInteger(10, value))
    return value;
  auto it = dims_.find(extent);
  return it == dims_.end() ? std::nullopt : std::optional<int64_t>(it->getValue());
}

std::string PackagePlan::scratchBinding(mlir::Operation *anchor, llvm::StringRef role) const {
  auto it = scratchBindings_.find({anchor, role.str()});
  return it == scratchBindings_.end() ? std::string() : it->second;
}

void PackagePlan::addDerivedWeight(mlir::DictionaryAttr weight) {
  if (!llvm::is_contained(weights_, weight))
    weights_.push_back(weight);
}

tile::LaunchProgramOp PackagePlan::createProgram(mlir::OpBuilder &builder, mlir::Location loc) const {
  llvm::SmallVector<mlir::NamedAttribute> dims;
  for (const auto &entry : dims_)
    dims.push_back(builder.getNamedAttr(entry.getKey(), builder.getI64IntegerAttr(entry.getValue())));
  auto program = tile::LaunchProgramOp::create(
      builder, loc, builder.getDictionaryAttr(dims), builder.getArrayAttr(inputs_),
      builder.getArrayAttr(outputs_), builder.getArrayAttr(weights_), builder.getArrayAttr(buffers_),
      builder.getI64IntegerAttr(arenaBytes_), kvCache_ ? *kvCache_ : mlir::DictionaryAttr());
  program.getBody().emplaceBlock();
  return program;
}

mlir::FailureOr<PackagePlan> PackagePlan::build(mlir::func::FuncOp function,
                                                llvm::ArrayRef<Group> groups, ScratchPlanner scratch) {
  PackagePlan plan;
  mlir::Builder builder(function.getContext());
  for (auto [attrName, dim] : kDimBounds)
    if (auto bound = function->getAttrOfType<mlir::IntegerAttr>(attrName))
      plan.dims_[dim] = bound.getInt();

  // Inputs: names from `loom.name`, dynamic extents from `loom.dims` (default: "tokens").
  for (auto [index, argument] : llvm::enumerate(function.getArguments())) {
    auto nameAttr = function.getArgAttrOfType<mlir::StringAttr>(index, "loom.name");
    std::string name = nameAttr ? nameAttr.str() : "arg" + std::to_string(index);
    if (auto cache = mlir::dyn_cast<graph::KVCacheType>(argument.getType())) {
      plan.kvCache_ = builder.getDictionaryAttr({
          builder.getNamedAttr("layers", builder.getI64IntegerAttr(cache.getLayers())),
          builder.getNamedAttr("blocks", builder.getI64IntegerAttr(cache.getBlocks())),
          builder.getNamedAttr("block_size", builder.getI64IntegerAttr(cache.getBlockSize())),
          builder.getNamedAttr("kv_heads", builder.getI64IntegerAttr(cache.getKvHeads())),
          builder.getNamedAttr("head_dim", builder.getI64IntegerAttr(cache.getHeadDim())),
          builder.getNamedAttr("dtype", builder.getStringAttr(dtypeName(cache.getElementType())))});
      continue;
    }
    auto type = mlir::dyn_cast<mlir::RankedTensorType>(argument.getType());
    if (!type)
      return function.emitError() << "argument " << index << " must be a ranked tensor or a kv_cache";
    auto names = function.getArgAttrOfType<mlir::ArrayAttr>(index, "loom.dims");
    llvm::SmallVector<std::string> extents;
    for (int64_t d = 0; d < type.getRank(); ++d) {
      if (!type.isDynamicDim(d))
        extents.push_back(std::to_string(type.getDimSize(d)));
      else if (names && d < int64_t(names.size()))
        extents.push_back(llvm::cast<mlir::StringAttr>(names[d]).str());
      else if (d == 0)
        extents.push_back("tokens");
      else
        return function.emitError() << "argument " << index << " needs loom.dims to name dynamic dimension " << d;
    }
    plan.inputs_.push_back(builder.getDictionaryAttr(
        {builder.getNamedAttr("name", builder.getStringAttr(name)),
         builder.getNamedAttr("dtype", builder.getStringAttr(dtypeName(type.getElementType()))),
         builder.getNamedAttr("shape", shapeAttr(builder, extents))}));
    plan.extents_[argument] = extents;
    plan.bindings_[argument] = "input:" + name;
  }

  // Extents of every value, inside groups too: a dynamic extent is the row source's.
  bool failed = false;
  std::function<void(mlir::Operation *)> propagate = [&](mlir::Operation *op) {
    if (auto fused = mlir::dyn_cast<graph::FusedOp>(op)) {
      for (auto [argument, input] : llvm::zip(fused.getBody().getArguments(), fused.getInputs()))
        plan.extents_[argument] = plan.extents_[input];
      for (mlir::Operation &inner : fused.getBody().front().without_terminator())
        propagate(&inner);
      for (auto [result, yielded] : llvm::zip(fused.getResults(), fused.getYield().getValues()))
        plan.extents_[result] = plan.extents_[yielded];
      return;
    }
    for (mlir::Value result : op->getResults()) {
      auto type = mlir::dyn_cast<mlir::RankedTensorType>(result.getType());
      if (!type)
        continue;
      llvm::SmallVector<std::string> extents;
      llvm::ArrayRef<std::string> source;
      if (op->getNumOperands() > rowSourceOperand(op))
        source = plan.extents(op->getOperand(rowSourceOperand(op)));
      for (int64_t d = 0; d < type.getRank(); ++d) {
        if (!type.isDynamicDim(d))
          extents.push_back(std::to_string(type.getDimSize(d)));
        else if (d < int64_t(source.size()))
          extents.push_back(source[d]);
        else {
          op->emitOpError() << "result dimension " << d << " is dynamic with no dim to name it";
          failed = true;
          return;
        }
      }
      plan.extents_[result] = extents;
    }
  };
  for (mlir::Operation &op : function.getBody().front())
    propagate(&op);
  if (failed)
    return mlir::failure();

  // Views: split pieces and rotated or reshaped tensors live in their source's storage.
  for (mlir::Operation &op : function.getBody().front()) {
    if (!isViewOp(&op))
      continue;
    mlir::Value source = op.getOperand(0);
    auto sourceType = mlir::cast<mlir::RankedTensorType>(source.getType());
    if (llvm::any_of(sourceType.getShape().drop_front(), mlir::ShapedType::isDynamic))
      return op.emitOpError() << "views only tensors whose rows have a static length";
    int64_t width = rowElements(source);
    ColumnView base = plan.view(source).value_or(ColumnView{source, 0, width, width});
    if (auto split = mlir::dyn_cast<graph::SplitOp>(op)) {
      int64_t axis = split.getAxis() < 0 ? split.getAxis() + sourceType.getRank() : split.getAxis();
      if (sourceType.getRank() != 2 || axis != 1)
        return op.emitOpError() << "lowers only as column slices of a 2-D tensor (axis 1 or -1)";
      int64_t column = base.column;
      for (mlir::Value piece : split.getResults()) {
        plan.views_[piece] = {base.root, column, rowElements(piece), base.rootWidth};
        column += rowElements(piece);
      }
      continue;
    }
    if (mlir::isa<graph::ReshapeOp>(op) && !base.whole())
      return op.emitOpError() << "reshapes a column slice of another tensor, which has no storage of its own";
    plan.views_[op.getResult(0)] = {base.root, base.column, rowElements(op.getResult(0)), base.rootWidth};
  }

  // Weights.
  function.walk([&](graph::WeightOp weight) {
    auto type = weight.getResult().getType();
    plan.bindings_[weight.getResult()] = ("weight:" + weight.getName()).str();
    llvm::SmallVector<mlir::NamedAttribute> entry = {
        builder.getNamedAttr("name", weight.getNameAttr()),
        builder.getNamedAttr("dtype", builder.getStringAttr(dtypeName(type.getElementType()))),
        builder.getNamedAttr("shape", builder.getI64ArrayAttr(type.getShape()))};
    // A weight hoisted by graph-hoist-weights carries its load-time recipe (concat, ...).
    if (auto recipe = weight->getAttrOfType<mlir::DictionaryAttr>("loom.recipe"))
      entry.push_back(builder.getNamedAttr("recipe", recipe));
    plan.addDerivedWeight(builder.getDictionaryAttr(entry));
  });

  // Arena buffers: every group result, alive from its group to its last reader.
  llvm::DenseMap<mlir::Operation *, int64_t> launchOf;
  for (auto [index, group] : llvm::enumerate(groups))
    launchOf[group.anchor] = index;
  auto returnOp = mlir::cast<mlir::func::ReturnOp>(function.getBody().front().getTerminator());
  // The last launch reading `value`, through the views of it; -1 when none does.
  std::function<int64_t(mlir::Value)> lastUse = [&](mlir::Value value) {
    int64_t last = -1;
    for (mlir::Operation *user : value.getUsers()) {
      if (user == returnOp)
        last = std::max(last, int64_t(groups.size()));
      else if (isViewOp(user))
        for (mlir::Value viewed : user->getResults())
          last = std::max(last, lastUse(viewed));
      else if (auto launch = launchOf.find(user); launch != launchOf.end())
        last = std::max(last, launch->second);
    }
    return last;
  };
  llvm::SmallVector<mlir::Value> values;
  llvm::SmallVector<Placement> placements;
  for (auto [index, group] : llvm::enumerate(groups)) {
    for (mlir::Value result : group.anchor->getResults()) {
      auto type = mlir::dyn_cast<mlir::RankedTensorType>(result.getType());
      if (!type)
        continue;
      int64_t elements = 1;
      for (const std::string &extent : plan.extents(result)) {
        int64_t value;
        if (llvm::StringRef(extent).getAsInteger(10, value)) {
          auto bound = plan.dims_.find(extent);
          if (bound == plan.dims_.end())
            return group.anchor->emitOpError() << "dim '" << extent << "' has no bound (a loom.max_"
                                               << extent << " function attribute)";
          value = bound->getValue();
        }
        elements *= value;
      }
      int64_t last = std::max(int64_t(index), lastUse(result));
      values.push_back(result);
      placements.push_back({elements * int64_t(type.getElementTypeBitWidth() / 8), int64_t(index), last});
    }
  }
  // Scratch after every result, so the results' placements do not depend on it.
  llvm::SmallVector<std::pair<mlir::Operation *, ScratchRequest>> scratchBuffers;
  for (auto [index, group] : llvm::enumerate(groups))
    for (ScratchRequest &request : scratch(group, plan)) {
      placements.push_back({request.floats * 4, int64_t(index), int64_t(index)});
      scratchBuffers.push_back({group.anchor, std::move(request)});
    }
  plan.arenaBytes_ = placeBuffers(placements);
  for (auto [index, placement] : llvm::enumerate(placements)) {
    std::string name = "v" + std::to_string(index);
    bool isScratch = index >= values.size();
    mlir::Attribute dtype, shape;
    if (isScratch) {
      const auto &[anchor, request] = scratchBuffers[index - values.size()];
      plan.scratchBindings_[{anchor, request.role}] = "buffer:" + name;
      dtype = builder.getStringAttr("f32");
      shape = builder.getI64ArrayAttr({request.floats});
    } else {
      mlir::Value value = values[index];
      plan.bindings_[value] = "buffer:" + name;
      dtype = builder.getStringAttr(dtypeName(mlir::cast<mlir::RankedTensorType>(value.getType()).getElementType()));
      shape = shapeAttr(builder, plan.extents(value));
    }
    llvm::SmallVector<mlir::NamedAttribute> entry = {
        builder.getNamedAttr("name", builder.getStringAttr(name)),
        builder.getNamedAttr("offset", builder.getI64IntegerAttr(placement.offset)),
        builder.getNamedAttr("bytes", builder.getI64IntegerAttr(placement.bytes)),
        builder.getNamedAttr("dtype", dtype), builder.getNamedAttr("shape", shape),
        builder.getNamedAttr("live", builder.getI64ArrayAttr({placement.first, placement.last}))};
    if (isScratch)
      entry.push_back(builder.getNamedAttr("scratch", builder.getStringAttr(scratchBuffers[index - values.size()].second.role)));
    plan.buffers_.push_back(builder.getDictionaryAttr(entry));
  }

  for (const auto &[value, view] : plan.views_)
    if (view.whole())
      if (std::string root = plan.binding(view.root); !root.empty())
        plan.bindings_[value] = root;

  // Outputs: named by `loom.name` result attributes, read from their buffers.
  for (auto [index, value] : llvm::enumerate(returnOp.getOperands())) {
    auto type = mlir::dyn_cast<mlir::RankedTensorType>(value.getType());
    if (!type)
      continue; // the KV cache is updated in place
    llvm::StringRef binding = plan.bindings_.lookup(value);
    if (auto view = plan.view(value); view && !view->whole())
      return returnOp.emitOpError() << "result " << index << " is columns [" << view->column << ", "
                                    << view->column + view->width << ") of a " << view->rootWidth
                                    << "-column tensor, and a piece that needs storage of its own "
                                       "has no tile lowering for graph.split";
    if (!binding.consume_front("buffer:"))
      return returnOp.emitOpError() << "result " << index << " must be computed by a kernel";
    auto nameAttr = function.getResultAttrOfType<mlir::StringAttr>(index, "loom.name");
    plan.outputs_.push_back(builder.getDictionaryAttr(
        {builder.getNamedAttr("name", nameAttr ? nameAttr : builder.getStringAttr("out" + std::to_string(index))),
         builder.getNamedAttr("buffer", builder.getStringAttr(binding)),
         builder.getNamedAttr("dtype", builder.getStringAttr(dtypeName(type.getElementType()))),
         builder.getNamedAttr("shape", shapeAttr(builder, plan.extents(value)))}));
  }
  return plan;
}

} // namespace loom::conversion

// Planning of a package: tensor sections, and the arena buffers of graph-plan-memory's plan.
//
// How it works: dim names and bounds come from DimBounds (compiler/Transforms/Graph), the
// buffers, their offsets and live ranges from the function's `loom.buffer_plan` (the one
// arena planner, graph-plan-memory); live ranges are moved from op positions to launch
// indices. Storage the lowering adds that no graph value stands for — a group's scratch (e.g.
// split-K attention partials) and the step's error record (bad embedding ids) — is placed
// here, after the plan's arena: scratch lives only during its own group's launch, so every
// group's scratch starts at the same offset (the arena grows by the largest group's scratch);
// scratch counters (zero between launches, e.g. the decode attention's split arrivals) and the
// error record follow it and live through the whole step.
#include "compiler/Conversion/GraphToTile/PackagePlan.h"
#include "compiler/Transforms/Graph/DimBounds.h"

#include "mlir/IR/Builders.h"

namespace loom::conversion {

namespace {

constexpr int64_t kArenaAlignment = 256;

/// Function attributes that bound the dynamic dims (docs/graph-ops.md).
constexpr std::pair<llvm::StringLiteral, llvm::StringLiteral> kDimBounds[] = {
    {"loom.max_tokens", "tokens"}, {"loom.max_seqs", "seqs"},
    {"loom.max_blocks_per_seq", "blocks_per_seq"}};

/// One buffer of graph-plan-memory's `loom.buffer_plan`.
struct PlannedBuffer {
  int64_t offset = 0, bytes = 0, first = 0, last = 0;
};

/// The function's `loom.buffer_plan` by buffer id; an error when it is missing or malformed.
mlir::FailureOr<llvm::StringMap<PlannedBuffer>> readBufferPlan(mlir::func::FuncOp function) {
  auto entries = function->getAttrOfType<mlir::ArrayAttr>("loom.buffer_plan");
  if (!entries)
    return function.emitError() << "has no loom.buffer_plan (run graph-plan-memory first)";
  llvm::StringMap<PlannedBuffer> plan;
  for (mlir::Attribute entry : entries) {
    auto dict = mlir::dyn_cast<mlir::DictionaryAttr>(entry);
    auto id = dict ? dict.getAs<mlir::StringAttr>("id") : nullptr;
    PlannedBuffer buffer;
    std::pair<llvm::StringRef, int64_t *> fields[] = {
        {"offset", &buffer.offset}, {"bytes", &buffer.bytes}, {"first", &buffer.first}, {"last", &buffer.last}};
    for (auto [name, slot] : fields) {
      auto value = dict ? dict.getAs<mlir::IntegerAttr>(name) : nullptr;
      if (!id || !value)
        return function.emitError() << "loom.buffer_plan entry " << entry << " needs a string 'id' and integer '"
                                    << name << "'";
      *slot = value.getInt();
    }
    plan[id.getValue()] = buffer;
  }
  return plan;
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

std::string PackagePlan::errorBinding() const {
  for (mlir::Attribute buffer : buffers_)
    if (mlir::cast<mlir::DictionaryAttr>(buffer).getAs<mlir::StringAttr>("name").getValue() == kErrorBuffer)
      return ("buffer:" + kErrorBuffer).str();
  return "";
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

  // Extents of every value, inside groups too, named as graph-plan-memory bounds them.
  mlir::FailureOr<graph::DimBounds> bounds = graph::DimBounds::compute(function);
  if (mlir::failed(bounds))
    return mlir::failure();
  auto nameExtents = [&](mlir::Value value) {
    if (const graph::ShapeBound *shape = bounds->lookup(value)) {
      llvm::SmallVector<std::string> extents;
      for (const graph::DimBound &dim : *shape)
        extents.push_back(dim.name);
      plan.extents_[value] = std::move(extents);
    }
  };
  function.walk([&](mlir::Operation *op) {
    for (mlir::Region &region : op->getRegions())
      for (mlir::Block &block : region)
        for (mlir::Value argument : block.getArguments())
          if (op != function.getOperation())
            nameExtents(argument);
    for (mlir::Value result : op->getResults())
      nameExtents(result);
  });

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

  // Arena buffers: every group result, where graph-plan-memory put it; live ranges move from op
  // positions to launch indices (a position between launches counts as the launch before it).
  auto planned = readBufferPlan(function);
  if (mlir::failed(planned))
    return mlir::failure();
  auto returnOp = mlir::cast<mlir::func::ReturnOp>(function.getBody().front().getTerminator());
  llvm::DenseMap<mlir::Operation *, int64_t> launchOf;
  for (auto [index, group] : llvm::enumerate(groups))
    launchOf[group.anchor] = index;
  llvm::SmallVector<int64_t> launchAtPosition; // the latest launch at or before each position
  for (mlir::Operation &op : function.getBody().front()) {
    int64_t previous = launchAtPosition.empty() ? -1 : launchAtPosition.back();
    launchAtPosition.push_back(&op == returnOp.getOperation() ? int64_t(groups.size())
                                                              : launchOf.lookup_or(&op, previous));
  }
  auto launchAt = [&](int64_t position) {
    return position >= 0 && position < int64_t(launchAtPosition.size()) ? launchAtPosition[position] : -1;
  };
  int64_t planArena = 0;
  if (auto arena = function->getAttrOfType<mlir::IntegerAttr>("loom.arena_bytes"))
    planArena = arena.getInt();
  auto addBuffer = [&](llvm::StringRef name, int64_t offset, int64_t bytes, mlir::Attribute dtype,
                       mlir::Attribute shape, int64_t first, int64_t last, llvm::StringRef scratchRole) {
    llvm::SmallVector<mlir::NamedAttribute> entry = {
        builder.getNamedAttr("name", builder.getStringAttr(name)),
        builder.getNamedAttr("offset", builder.getI64IntegerAttr(offset)),
        builder.getNamedAttr("bytes", builder.getI64IntegerAttr(bytes)),
        builder.getNamedAttr("dtype", dtype), builder.getNamedAttr("shape", shape),
        builder.getNamedAttr("live", builder.getI64ArrayAttr({first, last}))};
    if (!scratchRole.empty())
      entry.push_back(builder.getNamedAttr("scratch", builder.getStringAttr(scratchRole)));
    plan.buffers_.push_back(builder.getDictionaryAttr(entry));
  };
  for (auto [index, group] : llvm::enumerate(groups)) {
    auto ids = group.anchor->getAttrOfType<mlir::ArrayAttr>("loom.buffers");
    for (mlir::OpResult result : group.anchor->getResults()) {
      auto type = mlir::dyn_cast<mlir::RankedTensorType>(result.getType());
      if (!type)
        continue;
      auto id = ids && result.getResultNumber() < ids.size()
                    ? mlir::dyn_cast<mlir::StringAttr>(ids[result.getResultNumber()])
                    : nullptr;
      auto buffer = id ? planned->find(id.getValue()) : planned->end();
      if (buffer == planned->end())
        return group.anchor->emitOpError() << "result " << result.getResultNumber()
                                           << " has no buffer in loom.buffer_plan (run graph-plan-memory "
                                              "after the last graph transformation)";
      const PlannedBuffer &where = buffer->getValue();
      plan.bindings_[result] = ("buffer:" + id.getValue()).str();
      addBuffer(id.getValue(), where.offset, where.bytes, builder.getStringAttr(dtypeName(type.getElementType())),
                shapeAttr(builder, plan.extents(result)), int64_t(index),
                std::max(int64_t(index), launchAt(where.last)), "");
    }
  }
  // Scratch at the arena's tail, shared by all groups (each group's is alive at its launch only);
  // counters after it, each group's own bytes, alive through the step.
  int64_t tail = llvm::alignTo(planArena, kArenaAlignment), scratchEnd = tail;
  llvm::SmallVector<std::tuple<std::string, ScratchRequest>> counters;
  for (auto [index, group] : llvm::enumerate(groups)) {
    int64_t offset = tail;
    for (ScratchRequest &request : scratch(group, plan)) {
      // Named after the plan's buffers (v0 ... v<n-1>), as graph values' buffers are.
      std::string name = "v" + std::to_string(planned->size() + plan.scratchBindings_.size());
      plan.scratchBindings_[{group.anchor, request.role}] = "buffer:" + name;
      if (request.counters) {
        counters.push_back({name, request});
        continue;
      }
      addBuffer(name, offset, request.elements * 4, builder.getStringAttr("f32"),
                builder.getI64ArrayAttr({request.elements}), int64_t(index), int64_t(index), request.role);
      offset = llvm::alignTo(offset + request.elements * 4, kArenaAlignment);
    }
    scratchEnd = std::max(scratchEnd, offset);
  }
  for (auto &[name, request] : counters) {
    addBuffer(name, scratchEnd, request.elements * 4, builder.getStringAttr("i32"),
              builder.getI64ArrayAttr({request.elements}), 0, int64_t(groups.size()), request.role);
    scratchEnd = llvm::alignTo(scratchEnd + request.elements * 4, kArenaAlignment);
  }
  // The error record after them, alive through the step: [count, id, row, vocab] of bad ids.
  plan.arenaBytes_ = scratchEnd;
  if (llvm::any_of(groups, [](const Group &group) {
        return llvm::any_of(group.ops, [](mlir::Operation *op) { return mlir::isa<graph::EmbeddingOp>(op); });
      })) {
    addBuffer(kErrorBuffer, scratchEnd, kErrorRecordInts * 4, builder.getStringAttr("i32"),
              builder.getI64ArrayAttr({kErrorRecordInts}), 0, int64_t(groups.size()), "");
    plan.arenaBytes_ = llvm::alignTo(scratchEnd + kErrorRecordInts * 4, kArenaAlignment);
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

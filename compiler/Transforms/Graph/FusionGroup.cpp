// Fusion groups: growth bookkeeping, the cycle test, and outlining into a graph.fused region.
#include "compiler/Transforms/Graph/FusionGroup.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SetVector.h"

namespace loom::graph::fusion {

Group::Group(FusionKind kind, mlir::Operation *anchor) : kind(kind), anchor(anchor) {
  add(anchor);
  tail = anchor->getNumResults() == 1 ? anchor->getResult(0) : mlir::Value();
}

void Group::add(mlir::Operation *op) {
  if (memberSet.insert(op).second)
    members.push_back(op);
}

std::string Group::describe() const {
  return "the " + stringifyFusionKind(kind).str() + " group of " +
         anchor->getName().getStringRef().str();
}

/// Walks producers backwards from the members' outside operands, only through ops after the
/// earliest member (nothing earlier can depend on the group); reaching a member is a cycle.
mlir::Operation *findCycleThrough(const llvm::SmallPtrSetImpl<mlir::Operation *> &members) {
  mlir::Operation *earliest = nullptr;
  for (mlir::Operation *member : members)
    if (!earliest || member->isBeforeInBlock(earliest))
      earliest = member;
  mlir::Block *block = earliest->getBlock();
  auto mayDependOnGroup = [&](mlir::Operation *op) {
    return op && !members.contains(op) && op->getBlock() == block && earliest->isBeforeInBlock(op);
  };
  // Each worklist entry remembers the first outside op on its path, the one reported.
  llvm::SmallVector<std::pair<mlir::Operation *, mlir::Operation *>> worklist;
  llvm::SmallPtrSet<mlir::Operation *, 16> visited;
  for (mlir::Operation *member : members)
    for (mlir::Value operand : member->getOperands())
      if (mlir::Operation *producer = operand.getDefiningOp(); mayDependOnGroup(producer))
        worklist.push_back({producer, producer});
  while (!worklist.empty()) {
    auto [op, through] = worklist.pop_back_val();
    if (!visited.insert(op).second)
      continue;
    for (mlir::Value operand : op->getOperands()) {
      mlir::Operation *producer = operand.getDefiningOp();
      if (producer && members.contains(producer))
        return through;
      if (mayDependOnGroup(producer))
        worklist.push_back({producer, through});
    }
  }
  return nullptr;
}

std::string groupName(llvm::ArrayRef<mlir::Operation *> ops, unsigned counter) {
  std::string name = "fused";
  for (mlir::Operation *op : ops)
    name += "_" + op->getName().stripDialect().str();
  return name + "_" + std::to_string(counter);
}

FusedOp outlineGroup(llvm::ArrayRef<mlir::Operation *> unordered, FusionKind kind,
                     llvm::StringRef name, std::optional<GemmPrologue> prologue) {
  llvm::SmallVector<mlir::Operation *> ops(unordered);
  llvm::sort(ops, [](mlir::Operation *a, mlir::Operation *b) { return a->isBeforeInBlock(b); });
  llvm::SmallPtrSet<mlir::Operation *, 8> members(ops.begin(), ops.end());

  llvm::SetVector<mlir::Value> inputs;
  llvm::SmallVector<mlir::Value> outputs;
  for (mlir::Operation *op : ops) {
    for (mlir::Value operand : op->getOperands())
      if (!members.contains(operand.getDefiningOp()))
        inputs.insert(operand);
    for (mlir::Value result : op->getResults())
      if (llvm::any_of(result.getUsers(),
                       [&](mlir::Operation *user) { return !members.contains(user); }))
        outputs.push_back(result);
  }

  // Outside ops between the first and last member that read the group must follow graph.fused.
  llvm::SmallVector<mlir::Operation *> dependents;
  llvm::SmallPtrSet<mlir::Operation *, 8> readsGroup(members.begin(), members.end());
  for (mlir::Operation *op = ops.front()->getNextNode(); op != ops.back(); op = op->getNextNode()) {
    if (members.contains(op))
      continue;
    if (llvm::any_of(op->getOperands(),
                     [&](mlir::Value v) { return readsGroup.contains(v.getDefiningOp()); })) {
      dependents.push_back(op);
      readsGroup.insert(op);
    }
  }

  mlir::MLIRContext *context = ops.front()->getContext();
  llvm::SmallVector<mlir::Location> locations;
  for (mlir::Operation *op : ops)
    locations.push_back(op->getLoc());
  mlir::Location loc = mlir::FusedLoc::get(context, locations);

  mlir::OpBuilder builder(context);
  builder.setInsertionPointAfter(ops.back());
  auto fused = FusedOp::create(
      builder, loc, mlir::ValueRange(outputs).getTypes(), inputs.getArrayRef(),
      FusionKindAttr::get(context, kind), builder.getStringAttr(name),
      prologue ? GemmPrologueAttr::get(context, *prologue) : GemmPrologueAttr());
  llvm::SmallVector<mlir::Location> argumentLocs(inputs.size(), loc);
  mlir::Block *body = builder.createBlock(&fused.getBody(), {},
                                          mlir::ValueRange(inputs.getArrayRef()).getTypes(),
                                          argumentLocs);
  mlir::IRMapping mapping;
  mapping.map(inputs.getArrayRef(), body->getArguments());
  for (mlir::Operation *op : ops)
    builder.clone(*op, mapping);
  llvm::SmallVector<mlir::Value> yielded;
  for (mlir::Value output : outputs)
    yielded.push_back(mapping.lookup(output));
  YieldOp::create(builder, loc, yielded);

  for (auto [output, result] : llvm::zip(outputs, fused.getResults()))
    output.replaceUsesWithIf(result, [&](mlir::OpOperand &use) {
      return !members.contains(use.getOwner());
    });
  mlir::Operation *previous = fused;
  for (mlir::Operation *dependent : dependents) {
    dependent->moveAfter(previous);
    previous = dependent;
  }
  for (mlir::Operation *op : llvm::reverse(ops))
    op->erase();
  return fused;
}

} // namespace loom::graph::fusion

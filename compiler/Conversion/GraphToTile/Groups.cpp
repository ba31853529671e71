// Collection of the groups of a forward function: fused regions and singleton ops.
#include "compiler/Conversion/GraphToTile/Groups.h"
#include "compiler/Conversion/GraphToTile/PackagePlan.h"

#include "llvm/ADT/StringMap.h"

namespace loom::conversion {

namespace {

/// The family of an unfused op, by name.
graph::FusionKind singletonKind(llvm::StringRef opName) {
  static const llvm::StringMap<graph::FusionKind> kinds = {
      {"graph.add", graph::FusionKind::elementwise},  {"graph.mul", graph::FusionKind::elementwise},
      {"graph.silu", graph::FusionKind::elementwise}, {"graph.gelu", graph::FusionKind::elementwise},
      {"graph.cast", graph::FusionKind::elementwise}, {"graph.rms_norm", graph::FusionKind::norm},
      {"graph.layer_norm", graph::FusionKind::norm},  {"graph.linear", graph::FusionKind::gemm},
      {"graph.matmul", graph::FusionKind::gemm},      {"graph.embedding", graph::FusionKind::gather},
      {"graph.attention", graph::FusionKind::attention},
      {"graph.paged_attention", graph::FusionKind::attention},
      {"graph.kv_append", graph::FusionKind::attention}};
  auto it = kinds.find(opName);
  return it == kinds.end() ? graph::FusionKind::other : it->second;
}

Group fusedGroup(graph::FusedOp fused) {
  Group group;
  group.name = fused.getName().str();
  group.kind = fused.getKind();
  group.prologue = fused.getPrologue();
  group.anchor = fused;
  for (mlir::Operation &op : fused.getBody().front().without_terminator())
    group.ops.push_back(&op);
  group.inputs.assign(fused.getBody().getArguments().begin(), fused.getBody().getArguments().end());
  group.outputs.assign(fused.getYield().getValues().begin(), fused.getYield().getValues().end());
  return group;
}

Group singletonGroup(mlir::Operation *op, size_t index) {
  Group group;
  llvm::StringRef opName = op->getName().getStringRef();
  group.name = (opName.drop_front(llvm::StringRef("graph.").size()) + "_" + llvm::Twine(index)).str();
  group.kind = singletonKind(opName);
  group.anchor = op;
  group.ops.push_back(op);
  group.inputs.assign(op->getOperands().begin(), op->getOperands().end());
  group.outputs.assign(op->getResults().begin(), op->getResults().end());
  return group;
}

/// The ropes a kv_append kernel performs in place on the packed QKV rows: every rope of a piece
/// of the split that the appended key's rope reads (the query's, then the key's).
llvm::SmallVector<mlir::Operation *> ropesOfAppend(graph::KVAppendOp append) {
  llvm::SmallVector<mlir::Operation *> ropes;
  auto keyRope = append.getKey().getDefiningOp<graph::RopeOp>();
  auto split = keyRope ? keyRope.getInput().getDefiningOp<graph::SplitOp>() : nullptr;
  if (!split)
    return ropes;
  for (mlir::Value piece : split.getResults())
    for (mlir::Operation *user : piece.getUsers())
      if (mlir::isa<graph::RopeOp>(user) && user != keyRope.getOperation())
        ropes.push_back(user);
  ropes.push_back(keyRope);
  return ropes;
}

} // namespace

mlir::Value Group::outerInput(mlir::Value inner) const {
  if (auto fused = mlir::dyn_cast<graph::FusedOp>(anchor))
    if (auto argument = mlir::dyn_cast<mlir::BlockArgument>(inner);
        argument && argument.getOwner()->getParentOp() == fused)
      return fused.getInputs()[argument.getArgNumber()];
  return inner;
}

std::vector<std::string> Group::opNames() const {
  std::vector<std::string> names;
  for (mlir::Operation *op : ops)
    names.push_back(op->getName().getStringRef().str());
  return names;
}

std::vector<Group> collectGroups(mlir::func::FuncOp function) {
  std::vector<Group> groups;
  for (mlir::Operation &op : function.getBody().front()) {
    if (auto fused = mlir::dyn_cast<graph::FusedOp>(op))
      groups.push_back(fusedGroup(fused));
    else if (op.getDialect() && op.getDialect()->getNamespace() == "graph" &&
             !mlir::isa<graph::WeightOp>(op) && !PackagePlan::isViewOp(&op)) {
      groups.push_back(singletonGroup(&op, groups.size()));
      if (auto append = mlir::dyn_cast<graph::KVAppendOp>(op)) {
        auto ropes = ropesOfAppend(append);
        groups.back().ops.insert(groups.back().ops.begin(), ropes.begin(), ropes.end());
        if (!ropes.empty())
          groups.back().name = "rope_" + groups.back().name;
      }
    }
  }
  return groups;
}

} // namespace loom::conversion

// Collection of the groups of a forward function: fused regions and singleton ops.
#include "compiler/Conversion/GraphToTile/Groups.h"

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
      {"graph.paged_attention", graph::FusionKind::attention}};
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
             !mlir::isa<graph::WeightOp>(op))
      groups.push_back(singletonGroup(&op, groups.size()));
  }
  return groups;
}

} // namespace loom::conversion

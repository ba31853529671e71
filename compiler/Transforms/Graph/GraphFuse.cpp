// graph-fuse: grows fusion groups from seeds by the rule tables and outlines them into graph.fused.
#include "compiler/Transforms/Graph/FusionRules.h"
#include "compiler/Transforms/Graph/Passes.h"

#include "llvm/ADT/DenseMap.h"

namespace loom::graph {

#define GEN_PASS_DEF_GRAPHFUSEPASS
#include "compiler/Transforms/Graph/Passes.h.inc"

namespace {

using fusion::Absorption;
using fusion::AbsorbRule;
using fusion::Group;
using fusion::Side;

/// Why an op stayed unfused; a reason from a matching rule outranks "no rule".
struct Reason {
  std::string text;
  bool specific = false;
};

/// Forms the groups of one function body.
class GroupFormer {
public:
  explicit GroupFormer(mlir::Block &body) : body(body) {}

  void formGroups() {
    for (const fusion::SeedRule &seed : fusion::seedRules())
      for (mlir::Operation &op : body)
        if (fusion::classify(&op) == seed.anchor && !grouped.contains(&op))
          growFrom(seed.kind, &op);
  }

  /// Groups of two or more ops, in the order of their first op.
  llvm::SmallVector<Group> takeGroups() {
    llvm::sort(groups, [](const Group &a, const Group &b) {
      return firstOf(a)->isBeforeInBlock(firstOf(b));
    });
    return std::move(groups);
  }

  /// Remarks on the graph ops left outside every group.
  void explain() {
    for (mlir::Operation &op : body) {
      if (grouped.contains(&op) || op.getDialect() != graphDialect() ||
          mlir::isa<WeightOp, FusedOp>(op))
        continue;
      auto it = reasons.find(&op);
      op.emitRemark() << "not fused: "
                      << (it != reasons.end() ? it->second.text
                                              : "no fusion rule joins it to its producers or consumers");
    }
  }

private:
  static mlir::Operation *firstOf(const Group &group) {
    return *llvm::min_element(group.members, [](mlir::Operation *a, mlir::Operation *b) {
      return a->isBeforeInBlock(b);
    });
  }

  mlir::Dialect *graphDialect() {
    return body.getParentOp()->getContext()->getLoadedDialect<GraphDialect>();
  }

  void growFrom(FusionKind kind, mlir::Operation *anchor) {
    Group group(kind, anchor);
    while (absorbNeighbour(group)) {
    }
    if (group.members.size() == 1) {
      reject(anchor, "the " + stringifyFusionKind(kind).str() + " group it seeds found nothing to absorb" +
                         (group.firstRejection.empty() ? "" : " (" + group.firstRejection + ")"),
             /*specific=*/true, group);
      return;
    }
    for (mlir::Operation *member : group.members)
      grouped.insert(member);
    groups.push_back(std::move(group));
  }

  /// Absorbs one producer or consumer of the group; false when none fits.
  bool absorbNeighbour(Group &group) {
    for (mlir::Operation *member : llvm::SmallVector<mlir::Operation *>(group.members)) {
      for (mlir::Value operand : member->getOperands())
        if (mlir::Operation *producer = operand.getDefiningOp();
            producer && !group.contains(producer) && tryAbsorb(group, producer, operand, Side::Producer))
          return true;
      for (mlir::Value result : member->getResults())
        for (mlir::Operation *user : result.getUsers())
          if (!group.contains(user) && tryAbsorb(group, user, result, Side::Consumer))
            return true;
    }
    return false;
  }

  bool tryAbsorb(Group &group, mlir::Operation *candidate, mlir::Value via, Side side) {
    if (candidate->getBlock() != &body || grouped.contains(candidate) || mlir::isa<WeightOp>(candidate))
      return false;
    fusion::OpClass opClass = fusion::classify(candidate);
    const AbsorbRule *rule = llvm::find_if(fusion::absorbRules(), [&](const AbsorbRule &r) {
      return r.group == group.kind && r.side == side && r.absorbed == opClass;
    });
    std::string name = candidate->getName().getStringRef().str();
    if (rule == fusion::absorbRules().end()) {
      reject(candidate, "no rule lets " + group.describe() + " take it as a " +
                            (side == Side::Producer ? "producer" : "consumer"),
             false, group);
      return false;
    }
    if (!rule->enabled) {
      reject(candidate, rule->role.str() + " is not enabled yet (a later issue)", true, group);
      return false;
    }
    if (!rule->viaMayEscape) {
      size_t uses = std::distance(via.getUses().begin(), via.getUses().end());
      if (uses != 1) {
        std::string holder = side == Side::Producer
                                 ? std::string("its result")
                                 : "the value it reads from " + group.describe();
        reject(candidate, holder + " has " + std::to_string(uses) + " uses; fusing it as " +
                              rule->role.str() + " needs a single use",
               true, group);
        return false;
      }
    }
    std::string why;
    mlir::FailureOr<Absorption> absorption = rule->match(group, candidate, via, why);
    if (mlir::failed(absorption)) {
      reject(candidate, "not a " + rule->role.str() + " of " + group.describe() + ": " + why, true,
             group);
      return false;
    }
    llvm::SmallPtrSet<mlir::Operation *, 8> grown(group.memberSet.begin(), group.memberSet.end());
    for (mlir::Operation *op : absorption->ops) {
      if (grouped.contains(op))
        return false;
      grown.insert(op);
    }
    if (mlir::Operation *through = fusion::findCycleThrough(grown)) {
      reject(candidate, "fusing it into " + group.describe() + " would create a cycle through " +
                            through->getName().getStringRef().str(),
             true, group);
      return false;
    }
    for (mlir::Operation *op : absorption->ops)
      group.add(op);
    if (absorption->newTail)
      group.tail = absorption->newTail;
    group.hasEpilogue |= absorption->isEpilogue;
    if (absorption->prologue)
      group.prologue = absorption->prologue;
    return true;
  }

  void reject(mlir::Operation *op, std::string text, bool specific, Group &group) {
    if (group.firstRejection.empty() && op != group.anchor)
      group.firstRejection = op->getName().getStringRef().str() + ": " + text;
    Reason &reason = reasons[op];
    if (reason.text.empty() || (specific && !reason.specific))
      reason = {std::move(text), specific};
  }

  mlir::Block &body;
  llvm::SmallPtrSet<mlir::Operation *, 32> grouped;
  llvm::SmallVector<Group> groups;
  llvm::DenseMap<mlir::Operation *, Reason> reasons;
};

struct GraphFusePass final : impl::GraphFusePassBase<GraphFusePass> {
  using GraphFusePassBase::GraphFusePassBase;

  void runOnOperation() override {
    unsigned counter = 0;
    for (auto function : getOperation().getOps<mlir::func::FuncOp>()) {
      if (function.isExternal())
        continue;
      GroupFormer former(function.getBody().front());
      former.formGroups();
      if (explain)
        former.explain();
      for (Group &group : former.takeGroups())
        fusion::outlineGroup(group.members, group.kind,
                             fusion::groupName(sortedMembers(group), counter++), group.prologue);
    }
  }

  static llvm::SmallVector<mlir::Operation *> sortedMembers(const Group &group) {
    llvm::SmallVector<mlir::Operation *> ops(group.members);
    llvm::sort(ops, [](mlir::Operation *a, mlir::Operation *b) { return a->isBeforeInBlock(b); });
    return ops;
  }
};

} // namespace
} // namespace loom::graph

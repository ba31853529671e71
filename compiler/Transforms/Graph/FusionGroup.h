// A fusion group under construction, the cycle test of fusion legality, and outlining into graph.fused.
#pragma once

#include "dialects/Graph/IR/GraphOps.h"

#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/SmallVector.h"

#include <optional>
#include <string>

namespace loom::graph::fusion {

/// Ops that will become one kernel, grown from an anchor by the absorb rules.
struct Group {
  FusionKind kind;
  mlir::Operation *anchor;
  llvm::SmallVector<mlir::Operation *> members;
  llvm::SmallPtrSet<mlir::Operation *, 8> memberSet;
  /// The value an epilogue continues from: the anchor's result, then each absorbed epilogue op's.
  mlir::Value tail;
  /// Whether an epilogue op has been absorbed since the GEMM (gating must come first).
  bool hasEpilogue = false;
  std::optional<GemmPrologue> prologue;
  /// Why the first neighbour that was turned away was; says why a group of one dissolved.
  std::string firstRejection;

  Group(FusionKind kind, mlir::Operation *anchor);
  bool contains(mlir::Operation *op) const { return memberSet.contains(op); }
  void add(mlir::Operation *op);
  /// "the gemm group of graph.linear", for diagnostics.
  std::string describe() const;
};

/// The op outside `members` through which some path leads from a member back into a member,
/// or null when there is none (the group would not create a cycle).
mlir::Operation *findCycleThrough(const llvm::SmallPtrSetImpl<mlir::Operation *> &members);

/// "fused_<op names in order>_<counter>", the kernel's name.
std::string groupName(llvm::ArrayRef<mlir::Operation *> ops, unsigned counter);

/// Replaces `ops` (all in one block) by one graph.fused capturing what they read from outside and
/// yielding what is used outside; ops in between that depend on the group move after it.
FusedOp outlineGroup(llvm::ArrayRef<mlir::Operation *> ops, FusionKind kind, llvm::StringRef name,
                     std::optional<GemmPrologue> prologue);

} // namespace loom::graph::fusion

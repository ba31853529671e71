// The fusion rules as data: which ops seed groups, and what each group kind may absorb.
#pragma once

#include "compiler/Transforms/Graph/FusionGroup.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

namespace loom::graph::fusion {

/// What the rules see of an op.
enum class OpClass { Activation, Cast, Add, Mul, Gemm, RmsNorm, Split, Rope, KVAppend, Other };

/// The class of an op, from a table of op names (Other when absent).
OpClass classify(mlir::Operation *op);

/// An op class that starts a group of `kind`; the table is in priority order.
struct SeedRule {
  OpClass anchor;
  FusionKind kind;
};
llvm::ArrayRef<SeedRule> seedRules();

/// Whether the absorbed op produces a group input (prologue) or reads a group value (epilogue).
enum class Side { Producer, Consumer };

/// What a matcher takes into the group: the candidate and any ops of its pattern, the new
/// epilogue tail (null: unchanged) and the prologue strategy (when it sets one).
struct Absorption {
  llvm::SmallVector<mlir::Operation *> ops;
  mlir::Value newTail;
  bool isEpilogue = false;
  std::optional<GemmPrologue> prologue;
};

/// A row's own legality and shape checks; on failure `why` says what did not fit.
using Matcher = mlir::FailureOr<Absorption> (*)(const Group &group, mlir::Operation *candidate,
                                                mlir::Value via, std::string &why);

/// One row of the absorb table: a group of `group` kind may take an op of class `absorbed` on
/// `side`, connected to it through one value (`via`).
struct AbsorbRule {
  FusionKind group;
  Side side;
  OpClass absorbed;
  llvm::StringRef role;
  /// The connecting value may keep users outside the group (it becomes a result).
  bool viaMayEscape;
  /// Rows of later issues are listed, and named in remarks, but not applied yet.
  bool enabled;
  Matcher match;
};
llvm::ArrayRef<AbsorbRule> absorbRules();

} // namespace loom::graph::fusion

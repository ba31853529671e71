// PackagePlan: dim names and bounds, the package's tensors and where every tensor lives.
#pragma once

#include "compiler/Conversion/GraphToTile/Groups.h"
#include "dialects/Tile/IR/TileOps.h"

#include "llvm/ADT/DenseMap.h"

#include <map>

namespace loom::conversion {

/// A tensor that lives in the columns [column, column + width) of every row of another
/// tensor's storage (`root`, whose rows are `rootWidth` elements): graph.split pieces,
/// graph.rope results (rotated in place) and graph.reshape results have no buffer of their own.
struct ColumnView {
  mlir::Value root;
  int64_t column = 0, width = 0, rootWidth = 0;
  /// Whether the view is all of the root's storage (so it binds like the root).
  bool whole() const { return column == 0 && width == rootWidth; }
};

/// Storage the kernels of one group need beside their tensors, bound as
/// PackagePlan::scratchBinding: f32 values they use only while they run (e.g. split-K partials;
/// an arena buffer alive at the group's launch only), or i32 counters that are zero whenever no
/// launch of the group runs (the arena is zeroed at load and the kernels reset what they count):
/// those live through the whole step in bytes no other buffer shares.
struct ScratchRequest {
  std::string role;
  int64_t elements = 0;
  bool counters = false; ///< i32 counters instead of f32 values
};

/// The arena buffer of a step's error record, `int[kErrorRecordInts]` = {count, id, row, vocab}
/// of the out-of-range embedding ids (loom/embedding.cuh); the executor reads it after a step.
inline constexpr llvm::StringLiteral kErrorBuffer = "errors";
inline constexpr int64_t kErrorRecordInts = 4;

class PackagePlan;
/// The scratch a group needs, sized from the plan's dim bounds.
using ScratchPlanner = llvm::function_ref<llvm::SmallVector<ScratchRequest>(const Group &, const PackagePlan &)>;

/// The manifest sections of a forward function (docs/package.md): dims with their bounds,
/// inputs, weights, outputs, arena buffers; and the binding of every tensor a kernel reads.
class PackagePlan {
public:
  /// Plans `function`, whose groups are `groups`, with the scratch buffers `scratch` asks for;
  /// errors are emitted on the function.
  static mlir::FailureOr<PackagePlan> build(mlir::func::FuncOp function, llvm::ArrayRef<Group> groups,
                                            ScratchPlanner scratch);

  /// Extents of a tensor (inside a group or not): integers, or dim names for dynamic ones.
  llvm::ArrayRef<std::string> extents(mlir::Value value) const;
  /// How a kernel parameter reads `outer`: "input:tokens", "weight:<name>", "buffer:v3"; empty
  /// when `outer` has no storage of its own.
  std::string binding(mlir::Value outer) const;
  /// The storage `value` is a view of, when a view op (see ColumnView) produced it.
  std::optional<ColumnView> view(mlir::Value value) const;
  /// graph.split, graph.rope and graph.reshape: ops that launch no kernel of their own.
  static bool isViewOp(mlir::Operation *op);
  /// Whether `dim` has a bound (so kernels may take it as a parameter).
  bool hasDim(llvm::StringRef dim) const { return dims_.count(dim) != 0; }
  /// The largest value of an extent: the integer itself, or the dim's bound.
  std::optional<int64_t> bound(llvm::StringRef extent) const;
  /// "buffer:vN" of the scratch `role` of the group anchored at `anchor`; empty when none.
  std::string scratchBinding(mlir::Operation *anchor, llvm::StringRef role) const;
  /// "buffer:errors" when the package has an error record (it gathers embedding rows); else empty.
  std::string errorBinding() const;
  /// Records a weight the runtime derives at load time (e.g. a norm gain folded into a GEMM).
  void addDerivedWeight(mlir::DictionaryAttr weight);
  /// The weights section, derived weights included.
  mlir::ArrayAttr weightsAttr(mlir::Builder &builder) const { return builder.getArrayAttr(weights_); }
  /// Creates the tile.launch_program carrying every section, its body empty.
  tile::LaunchProgramOp createProgram(mlir::OpBuilder &builder, mlir::Location loc) const;

  /// "bf16", "f32", ... as the manifest spells element types.
  static llvm::StringRef dtypeName(mlir::Type element);

private:
  llvm::DenseMap<mlir::Value, llvm::SmallVector<std::string>> extents_;
  llvm::DenseMap<mlir::Value, std::string> bindings_;
  llvm::DenseMap<mlir::Value, ColumnView> views_;
  std::map<std::pair<mlir::Operation *, std::string>, std::string> scratchBindings_;
  llvm::StringMap<int64_t> dims_;
  llvm::SmallVector<mlir::Attribute> inputs_, outputs_, weights_, buffers_;
  std::optional<mlir::DictionaryAttr> kvCache_;
  int64_t arenaBytes_ = 0;
};

} // namespace loom::conversion

// KernelBuilder: a tile.kernel under construction, its parameters added as the body needs them.
#pragma once

#include "compiler/Conversion/GraphToTile/PackagePlan.h"
#include "compiler/Transforms/Tile/GpuTargets.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"

namespace loom::conversion {

class KernelBuilder {
public:
  /// Starts kernel `name` (default: `group.name`) at `moduleBuilder`'s insertion point;
  /// `moduleBuilder` must outlive the builder (siblings are created through it). `target` is the
  /// compile target whose device-library kernels may be chosen; null: kernels every target runs.
  KernelBuilder(mlir::OpBuilder &moduleBuilder, const Group &group, PackagePlan &plan,
                llvm::StringRef name = {}, const tile::GpuTarget *target = nullptr);

  mlir::OpBuilder &builder() { return builder_; }
  mlir::Location loc() const { return loc_; }
  const Group &group() const { return group_; }
  PackagePlan &plan() { return plan_; }
  /// The compile target, or null when the kernel must run on every target.
  const tile::GpuTarget *target() const { return target_; }

  /// The pointer parameter bound to `outer`'s storage (reused if `outer` has one already), or
  /// to `weightName` when given. `role` names the parameter ("x", "w", "y", ...).
  mlir::FailureOr<mlir::Value> pointer(mlir::Value outer, llvm::StringRef role,
                                       llvm::StringRef weightName = {});
  /// An extent as i32: a constant, or the parameter of a bounded dim.
  mlir::FailureOr<mlir::Value> extent(llvm::StringRef extent);
  /// Extents of `value` as i32 values (see extent()).
  mlir::FailureOr<llvm::SmallVector<mlir::Value>> extents(mlir::Value value);
  /// An i32 parameter bound to the constant `value` ("int:<value>").
  mlir::Value intParameter(llvm::StringRef name, int64_t value);
  /// An f32 parameter bound to `value` ("float:<value>").
  mlir::Value floatParameter(llvm::StringRef name, float value);
  /// The group's f32 scratch buffer `role` (PackagePlan::scratchBinding).
  mlir::FailureOr<mlir::Value> scratch(llvm::StringRef role);
  /// The group's i32 scratch counters `role` (a ScratchRequest with `counters`).
  mlir::FailureOr<mlir::Value> scratchCounters(llvm::StringRef role);
  /// The package's i32 error record (PackagePlan::errorBinding), or null when it has none.
  mlir::Value errorRecord();
  /// The K (or V) pool of the KV cache, elements of `element`.
  mlir::Value kvPool(llvm::StringRef name, bool key, mlir::Type element);
  /// Makes this a library kernel: the device-library call `library` (see compiler/Target/CUDA
  /// EmitLibraryKernel.cpp) with its template values, launch shape and dynamic shared memory
  /// fixed here (tile-tiling leaves such kernels as they are).
  void setLibraryLaunch(llvm::StringRef library, llvm::ArrayRef<std::pair<llvm::StringRef, int64_t>> config,
                        int threads, llvm::ArrayRef<std::string> grid, int64_t sharedBytes);
  mlir::Value constantI32(int64_t value);
  mlir::Value constantF32(float value);
  mlir::Value programId(int axis);

  /// Launches the kernel only on `when` steps ("decode" or "prefill": the manifest's guard).
  void launchWhen(llvm::StringRef when) { when_ = when.str(); }
  /// Another kernel of this group, `<family>_<role>_<n>` for a group named `<family>_<n>`: its
  /// launch follows this one's in the program (finish() ends both).
  KernelBuilder &addSibling(llvm::StringRef role);

  /// Ends the body; appends the launch of the kernel, then its siblings', to `program`.
  tile::KernelOp finish(tile::LaunchProgramOp program);

private:
  /// A parameter; `shared`: reuse the one with the same binding (pointers and dims).
  mlir::Value addParameter(mlir::Type type, llvm::StringRef name, std::string binding,
                           bool shared = true);
  /// A pointer to `element`s bound to the group's scratch `role`.
  mlir::FailureOr<mlir::Value> scratchPointer(llvm::StringRef role, mlir::Type element);

  mlir::OpBuilder &moduleBuilder_;
  const Group &group_;
  PackagePlan &plan_;
  mlir::Location loc_;
  tile::KernelOp kernel_;
  mlir::OpBuilder builder_;
  llvm::SmallVector<std::string> names_, bindings_;
  llvm::StringMap<mlir::Value> byBinding_;
  llvm::DenseMap<int64_t, mlir::Value> programIds_, integers_;
  std::string when_;
  const tile::GpuTarget *target_;
  std::vector<std::unique_ptr<KernelBuilder>> siblings_;
};

} // namespace loom::conversion

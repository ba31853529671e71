// KernelSource: what every emitted kernel shares — C types, the signature, the file layout.
#pragma once

#include "dialects/Tile/IR/TileOps.h"

#include <set>
#include <string>

namespace loom::cuda {

/// Writes one kernel's translation unit: header comment, includes, the extern "C" wrapper.
class KernelSource {
public:
  explicit KernelSource(tile::KernelOp kernel);

  /// "loom::bf16", "loom::f16", "float", "int".
  static std::string cType(mlir::Type element);
  /// A float literal that reads back exactly as `value`: "1.000000e-05f".
  static std::string floatLiteral(float value);
  /// The C name of a kernel parameter.
  std::string name(mlir::Value parameter) const;
  /// An i32 value as a C expression ("tokens * 64").
  std::string expr(mlir::Value value) const;
  /// The element C type a pointer parameter points to.
  std::string pointee(mlir::Value pointer) const;

  void include(llvm::StringRef header) { includes_.insert(header.str()); }
  /// The body waits for the previous grid itself (griddepcontrol.wait after work that touches no
  /// memory a previous kernel writes, e.g. L2 prefetches of weights), so render() leaves out the
  /// loom::grid_dependency_sync() every other kernel starts with.
  void placeOwnGridDependencyWait() { ownGridDependencyWait_ = true; }
  /// True when `parameter` is a package weight (tile.kernel `loom.weights`: graph-to-tile bound
  /// it to a weight the runtime uploads before the first step) that this kernel does not write.
  bool isWeight(mlir::Value parameter) const;
  /// The body loads `weight` (isWeight) before its own grid-dependency wait: no wait at the top,
  /// and a `// loom.reads-before-wait: parameter <index> (<name>)` line opening the body, which
  /// LoomGridDependencyOrderTests holds the PTX to (only loads of that parameter before the wait).
  void streamsWeightBeforeWait(mlir::Value weight);
  /// Declares `parameter` with a type other than its pointer/int default (e.g. a TMA descriptor).
  void declare(mlir::Value parameter, std::string declaration);
  /// The whole source, with `body` (statements, already indented) inside the wrapper and
  /// `launchBounds` as __launch_bounds__'s arguments.
  std::string render(llvm::StringRef body, llvm::StringRef launchBounds) const;

private:
  mutable tile::KernelOp kernel_;
  std::set<std::string> includes_;
  bool ownGridDependencyWait_ = false;
  std::string readsBeforeWait_; ///< the body's opening marker line, or empty
  llvm::DenseMap<mlir::Value, std::string> declarations_;
};

/// The CUDA source of one tiled kernel, instantiating the device library's template for its
/// family with its tile configuration; a located error when no library kernel matches.
mlir::FailureOr<std::string> emitKernelSource(tile::KernelOp kernel);

/// Family emitters (one file each).
mlir::FailureOr<std::string> emitElementwise(tile::KernelOp kernel);
mlir::FailureOr<std::string> emitRowKernel(tile::KernelOp kernel);
mlir::FailureOr<std::string> emitGemm(tile::KernelOp kernel);
/// Library kernels (attention, rope + kv_append): the call graph-to-tile chose (loom.library).
mlir::FailureOr<std::string> emitLibraryKernel(tile::KernelOp kernel);

} // namespace loom::cuda

// PackageEmitter: a tiled tile-dialect module -> CUDA sources + manifest.json (docs/package.md).
#pragma once

#include "compiler/Transforms/Tile/GpuTargets.h"

#include "mlir/IR/BuiltinOps.h"

#include <map>
#include <string>

namespace loom::cuda {

/// A package in memory: sources by their path in the package ("kernels/<name>.cu") and the
/// manifest text.
struct Package {
  std::map<std::string, std::string> sources;
  std::string manifest;
};

/// Emits every tile.kernel and the manifest of the module's tile.launch_program.
mlir::FailureOr<Package> emitPackage(mlir::ModuleOp module, const tile::GpuTarget &target);

} // namespace loom::cuda

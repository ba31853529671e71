// Pipelines: the named pass pipelines of the code generator and compile(module, target).
#pragma once

#include "compiler/Target/CUDA/PackageEmitter.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassManager.h"

namespace loom::pipelines {

/// How far compile() and loomc go, and with what.
struct CompileOptions {
  std::string target = "sm_90a";
  bool fuse = true;    ///< run graph-hoist-weights and graph-fuse first
  bool explain = false; ///< graph-fuse remarks on every op left unfused
  /// graph-rope-pairs before hoisting (when fuse): q/k ropes become interleaved so they can join
  /// the QKV GEMM's epilogue.
  bool ropePairs = true;
  /// One kernel per op at every step shape (tile-tiling's batch-invariant): a request's greedy
  /// output is the same alone and in any batch; the manifest says "batch_invariant": true.
  bool batchInvariant = false;
};

/// graph-rope-pairs (when options.ropePairs), graph-hoist-weights, graph-fuse (when options.fuse).
void buildFusionPipeline(mlir::OpPassManager &pm, const CompileOptions &options);
/// The fusion pipeline, then convert-graph-to-tile, cse, tile-tiling,
/// tile-lower-to-tensor-cores.
void buildGraphToTilePipeline(mlir::OpPassManager &pm, const CompileOptions &options);

/// Compiles a graph module in place down to tile IR and emits its package (sources + manifest,
/// which records options.batchInvariant).
/// Errors are reported as MLIR diagnostics on the module's context.
mlir::FailureOr<cuda::Package> compile(mlir::ModuleOp module, const CompileOptions &options);

/// Registers the graph-to-tile and graph-to-cuda pipelines (options `target`, `fuse`,
/// `rope-pairs`, `batch-invariant`).
void registerPipelines();

} // namespace loom::pipelines

// GraphModule: a parsed graph-dialect module with its own MLIR context, compiled on demand
// through the code generator's compile() with diagnostics returned as Status text.
#pragma once

#include "compiler/Target/CUDA/PackageEmitter.h"
#include "runtime/CUDA/CompiledKernel.h"
#include "runtime/Support/Status.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"

#include <map>
#include <memory>
#include <string_view>

namespace loom::verify {

class GraphModule {
public:
  /// Parses and verifies `text` (one func.func of graph ops). kInvalidArgument with the parser's
  /// located diagnostics.
  static StatusOr<GraphModule> parse(std::string_view text, std::string_view bufferName = "graph");

  /// The module's single forward function (the unfused graph, as parsed).
  mlir::func::FuncOp function();

  /// Compiles a clone of the module for `target` ("sm_90a", "sm_80", ...) with
  /// pipelines::compile(); the parsed module stays unfused. kCompileError carrying every
  /// diagnostic the pipeline emitted (e.g. an op group without a lowering).
  StatusOr<cuda::Package> compile(std::string_view target) const;

private:
  GraphModule() = default;
  std::unique_ptr<mlir::MLIRContext> context_;
  mlir::OwningOpRef<mlir::ModuleOp> module_;
};

/// NVRTC-compiles every kernel source of `package` for `arch` (no GPU needed); the map is keyed
/// by kernel name. The first failure carries NVRTC's log.
StatusOr<std::map<std::string, rt::CompiledKernel>> compileKernels(const cuda::Package &package,
                                                                   rt::GpuArch arch);

} // namespace loom::verify

// Example: a fused MLP block written with Loom's C++ DSL, printed as graph IR, and compiled to a
// CUDA package (kernels + manifest). Usage: loom-example-mlp-block [PACKAGE_DIR]
#include "compiler/Pipelines/Pipelines.h"
#include "frontend/Builder/Builder.h"

#include "llvm/Support/raw_ostream.h"

#include <filesystem>
#include <fstream>

using loom::DType;
using loom::Dim;
using loom::Tensor;

/// y = x + down(silu(gate(rms_norm(x))) · up(rms_norm(x))), Llama-3.2-1B sizes.
static loom::StatusOr<mlir::OwningOpRef<mlir::ModuleOp>> buildMlpBlock(mlir::MLIRContext &context) {
  const int64_t hidden = 2048, intermediate = 8192;
  loom::Builder b(context, "mlp_block");
  Tensor x = b.input("x", {Dim::dynamic("tokens", 4096), hidden}, DType::bf16);
  Tensor h = b.rmsNorm(x, b.weight("post_attention_layernorm.weight", {hidden}), 1e-5f);
  Tensor gate = b.linear(h, b.weight("mlp.gate_proj.weight", {intermediate, hidden}));
  Tensor up = b.linear(h, b.weight("mlp.up_proj.weight", {intermediate, hidden}));
  Tensor activated = b.mul(b.silu(gate), up);
  Tensor down = b.linear(activated, b.weight("mlp.down_proj.weight", {hidden, intermediate}));
  return b.finish({b.add(x, down)});
}

/// Writes the package's sources and manifest.json under `folder`.
static bool writePackage(const loom::cuda::Package &package, const std::filesystem::path &folder) {
  std::error_code error;
  std::filesystem::create_directories(folder / "kernels", error);
  std::ofstream(folder / "manifest.json") << package.manifest;
  for (const auto &[path, source] : package.sources)
    if (!(std::ofstream(folder / path) << source))
      return false;
  return !error;
}

int main(int argc, char **argv) {
  mlir::MLIRContext context;
  auto module = buildMlpBlock(context);
  if (!module.isOk()) {
    llvm::errs() << "error: " << module.status().toString() << "\n";
    return 1;
  }
  (*module)->print(llvm::outs());

  // Fuse, tile, lower to tensor cores and emit CUDA for sm_90a (no GPU needed). Errors are
  // printed as MLIR diagnostics.
  auto package = loom::pipelines::compile(**module, {});
  if (mlir::failed(package))
    return 1;
  llvm::outs() << "\n// package: " << package->sources.size() << " kernels\n";
  for (const auto &[path, source] : package->sources)
    llvm::outs() << "//   " << path << "\n";
  if (argc > 1 && !writePackage(*package, argv[1])) {
    llvm::errs() << "error: cannot write the package to " << argv[1] << "\n";
    return 1;
  }

  // TODO(loom::jit): run the block. The JIT entry point (frontend/Jit) is not written yet; it
  // will take this module, compile it as above, load the package with the runtime's
  // PackageExecutor and run it on host tensors. Until then the package runs on a GPU through
  // runtime/Package/PackageExecutor.h (weights named as above).
  return 0;
}

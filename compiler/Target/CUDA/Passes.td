// Passes of the CUDA target.
#ifndef LOOM_TARGET_CUDA_PASSES
#define LOOM_TARGET_CUDA_PASSES

include "mlir/Pass/PassBase.td"

def TileEmitCudaPass : Pass<"tile-emit-cuda", "mlir::ModuleOp"> {
  let summary = "Print the CUDA C++ of every tiled kernel (then the manifest) to stdout.";
  let description = [{
    Emits the package of the module (compiler/Target/CUDA/PackageEmitter) and prints each
    kernel's source after a `// ----- kernels/<name>.cu` line, then the manifest after
    `// ----- manifest.json`. The IR is left unchanged; used by lit tests and graph-to-cuda.
  }];
  let options = [Option<"target", "target", "std::string", "\"sm_90a\"",
                        "Compile target: sm_80, sm_89, sm_90 or sm_90a.">];
}

#endif // LOOM_TARGET_CUDA_PASSES

// The tile-emit-cuda pass: prints the package's sources and manifest (see Passes.td).
#include "compiler/Target/CUDA/PackageEmitter.h"
#include "compiler/Target/CUDA/Passes.h"

#include "llvm/Support/raw_ostream.h"

namespace loom::cuda {

#define GEN_PASS_DEF_TILEEMITCUDAPASS
#include "compiler/Target/CUDA/Passes.h.inc"

namespace {

struct TileEmitCudaPass final : impl::TileEmitCudaPassBase<TileEmitCudaPass> {
  using TileEmitCudaPassBase::TileEmitCudaPassBase;

  void runOnOperation() override {
    const tile::GpuTarget *gpu = tile::findGpuTargetOrEmit(getOperation(), target);
    if (!gpu)
      return signalPassFailure();
    auto package = emitPackage(getOperation(), *gpu);
    if (mlir::failed(package))
      return signalPassFailure();
    for (const auto &[path, source] : package->sources)
      llvm::outs() << "// ----- " << path << "\n" << source;
    llvm::outs() << "// ----- manifest.json\n" << package->manifest << "\n";
    markAllAnalysesPreserved();
  }
};

} // namespace

} // namespace loom::cuda

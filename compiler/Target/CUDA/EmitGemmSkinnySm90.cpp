// EmitGemmSkinnySm90: emitSkinnySm90, the wrapper of the wgmma skinny GEMM (loom/gemm_sm90_skinny.cuh).
#include "compiler/Target/CUDA/EmitGemmSkinnySm90.h"

#include <map>
#include <optional>

namespace loom::cuda {

mlir::FailureOr<std::string> emitSkinnySm90(tile::KernelOp kernel, KernelSource &source, const GemmCallParts &call) {
  std::map<llvm::StringRef, std::string> config;
  for (llvm::StringRef key : {"max_m", "split", "ring"}) {
    std::optional<int64_t> value = kernel.getConfigValue(key);
    if (!value)
      return kernel.emitOpError() << "the wgmma skinny GEMM's config has no '" << key << "'";
    config[key] = std::to_string(*value);
  }
  if (!kernel.getBlock() || !kernel.getSharedBytes())
    return kernel.emitOpError() << "the wgmma skinny GEMM needs its launch's block and shared bytes (run tile-tiling)";
  source.include("loom/gemm_sm90_skinny.cuh");
  // gemmSkinnySm90 prefetches its first W boxes into L2, then waits for the previous grid.
  source.placeOwnGridDependencyWait();
  const std::string split = config["split"], threads = std::to_string((*kernel.getBlock())[0]);
  const std::string shared = std::to_string(*kernel.getSharedBytes());
  std::string body =
      "  using Config = loom::sm90::SkinnySm90Config<" + config["max_m"] + ", " + split + ", " + config["ring"] +
      ">;\n" +
      "  static_assert(Config::kThreads == " + threads + ", \"the launch's block is not the Config's\");\n" +
      "  static_assert(Config::sharedBytes <= " + shared +
      ", \"loom::sm90::SkinnySm90Config needs more shared memory than the launch gives\");\n" +
      "  loom::sm90::gemmSkinnySm90<Config, " + call.prologue + ", " + call.gating + ">(" + call.x + ", " + call.w +
      ", " + call.m + ", " + call.n + ", " + call.k + ", " + call.prologueValue +
      // built after the kernel's wait: an epilogue's construction may loop (rope frequencies)
      ", loom::sm90::deferEpilogue([&] { return " + call.epilogue + "; }));\n";
  // The split CTAs of a column block form a cluster (its reduction reads their shared memory).
  return source.render(body, threads + ", 1) __cluster_dims__(1, " + split + ", 1");
}

} // namespace loom::cuda

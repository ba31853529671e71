// loom::jit: resolving the target, the in-process cache lookup and the JitModule it returns.
#include "frontend/Jit/Jit.h"

#include "llvm/Support/raw_ostream.h"

namespace loom {

namespace {

/// The target's arch, or the device's when it names none (sm_90a without a device).
std::string resolveArch(const JitTarget &target, JitCache &cache) {
  if (!target.arch.empty())
    return target.arch;
  StatusOr<std::shared_ptr<rt::Context>> context = cache.context(target.device);
  if (context.isOk())
    if (StatusOr<rt::GpuArch> arch = (*context)->arch(); arch.isOk())
      return std::string(rt::gpuArchName(*arch));
  return "sm_90a";
}

std::string printModule(mlir::ModuleOp module, bool withLocations) {
  std::string text;
  llvm::raw_string_ostream stream(text);
  mlir::OpPrintingFlags flags;
  if (withLocations)
    flags.enableDebugInfo(/*enable=*/true, /*prettyForm=*/false);
  module->print(stream, flags);
  return text;
}

/// `compileText` is asked for only when the cache misses.
StatusOr<JitModule> jitText(std::string_view keyText,
                            const std::function<std::string()> &compileText,
                            const JitTarget &target, JitCache &cache) {
  std::string arch = resolveArch(target, cache);
  bool fromCache = false;
  LOOM_ASSIGN_OR_RETURN(std::shared_ptr<const CompiledGraph> compiled,
                        cache.compile(keyText, compileText, arch, fromCache));
  return JitModule(std::move(compiled), fromCache, target.device, cache);
}

} // namespace

StatusOr<JitModule> jit(mlir::ModuleOp module, const JitTarget &target, JitCache &cache) {
  if (!module)
    return LOOM_ERROR(StatusCode::kInvalidArgument, "jit() was given no module");
  // The key ignores locations; the compiled text keeps them, so diagnostics name DSL scopes. A
  // cache hit prints the module once (for the key), a miss twice.
  return jitText(printModule(module, false), [&] { return printModule(module, true); }, target,
                 cache);
}

StatusOr<JitModule> jit(std::string_view moduleText, const JitTarget &target, JitCache &cache) {
  return jitText(moduleText, [&] { return std::string(moduleText); }, target, cache);
}

} // namespace loom

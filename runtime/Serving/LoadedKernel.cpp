// LoadedKernel: compile request, module load, function lookup.
#include "runtime/Serving/LoadedKernel.h"

namespace loom::rt {

StatusOr<LoadedKernel> loadKernel(const Context &context, KernelCompiler &compiler,
                                  const char *name, std::string source) {
  LOOM_ASSIGN_OR_RETURN(GpuArch arch, context.arch());
  CompileRequest request;
  request.name = name;
  request.source = std::move(source);
  request.arch = arch;
  LOOM_ASSIGN_OR_RETURN(CompileResult compiled, compiler.compile(request));
  LoadedKernel loaded;
  LOOM_ASSIGN_OR_RETURN(loaded.module, Module::load(context, compiled.kernel->cubin));
  LOOM_ASSIGN_OR_RETURN(loaded.kernel, loaded.module->kernel(name));
  return loaded;
}

} // namespace loom::rt

// NVRTC compile: create the program with the embedded headers, compile, fetch PTX, cubin, log.
#include "runtime/CUDA/NvrtcCompiler.h"

#include "runtime/DeviceLib/DeviceLib.h"

#include <fmt/format.h>
#include <nvrtc.h>

#include <memory>

namespace loom::rt {
namespace {

struct ProgramDeleter {
  void operator()(nvrtcProgram *program) const {
    nvrtcDestroyProgram(program);
    delete program;
  }
};
using ProgramHandle = std::unique_ptr<nvrtcProgram, ProgramDeleter>;

Status nvrtcError(nvrtcResult result, const char *what, const CompileRequest &request,
                  const std::string &log) {
  std::string message =
      fmt::format("NVRTC {} failed for kernel '{}' ({}): {}", what, request.name,
                  gpuArchName(request.arch), nvrtcGetErrorString(result));
  if (!log.empty())
    message += fmt::format("\nprogram log for '{}':\n{}", request.name, log);
  return Status(StatusCode::kCompileError, std::move(message));
}

std::string programLog(nvrtcProgram program) {
  size_t size = 0;
  if (nvrtcGetProgramLogSize(program, &size) != NVRTC_SUCCESS || size <= 1)
    return {};
  std::string log(size, '\0');
  if (nvrtcGetProgramLog(program, log.data()) != NVRTC_SUCCESS)
    return {};
  log.resize(size - 1); // drop the terminating NUL
  return log;
}

} // namespace

const std::string &nvrtcVersion() {
  static const std::string version = [] {
    int major = 0, minor = 0;
    ::nvrtcVersion(&major, &minor);
    return fmt::format("{}.{}", major, minor);
  }();
  return version;
}

StatusOr<CompiledKernel> compileWithNvrtc(const CompileRequest &request) {
  std::vector<const char *> headerTexts, headerNames;
  for (const EmbeddedHeader &header : deviceLibHeaders()) {
    headerTexts.push_back(header.contents.data());
    headerNames.push_back(header.includeName.data());
  }
  ProgramHandle program(new nvrtcProgram(nullptr));
  std::string fileName = request.name + ".cu";
  nvrtcResult result = nvrtcCreateProgram(
      program.get(), request.source.c_str(), fileName.c_str(),
      static_cast<int>(headerTexts.size()), headerTexts.data(), headerNames.data());
  if (result != NVRTC_SUCCESS) {
    program.release();
    return nvrtcError(result, "program creation", request, "");
  }

  std::vector<std::string> options = nvrtcOptions(request.arch, request.flags);
  std::vector<const char *> optionPointers;
  for (const std::string &option : options)
    optionPointers.push_back(option.c_str());
  result = nvrtcCompileProgram(*program, static_cast<int>(optionPointers.size()),
                               optionPointers.data());
  CompiledKernel kernel;
  kernel.log = programLog(*program);
  if (result != NVRTC_SUCCESS)
    return nvrtcError(result, "compilation", request, kernel.log);

  size_t size = 0;
  if ((result = nvrtcGetPTXSize(*program, &size)) != NVRTC_SUCCESS)
    return nvrtcError(result, "PTX retrieval", request, kernel.log);
  kernel.ptx.resize(size);
  if ((result = nvrtcGetPTX(*program, kernel.ptx.data())) != NVRTC_SUCCESS)
    return nvrtcError(result, "PTX retrieval", request, kernel.log);
  if (!kernel.ptx.empty() && kernel.ptx.back() == '\0')
    kernel.ptx.pop_back();

  if ((result = nvrtcGetCUBINSize(*program, &size)) != NVRTC_SUCCESS)
    return nvrtcError(result, "cubin retrieval", request, kernel.log);
  if (size == 0)
    return Status(StatusCode::kCompileError,
                  fmt::format("NVRTC produced no cubin for kernel '{}' ({})",
                              request.name, gpuArchName(request.arch)));
  kernel.cubin.resize(size);
  if ((result = nvrtcGetCUBIN(*program, kernel.cubin.data())) != NVRTC_SUCCESS)
    return nvrtcError(result, "cubin retrieval", request, kernel.log);
  kernel.resources = parsePtxasInfo(kernel.log);
  return kernel;
}

} // namespace loom::rt

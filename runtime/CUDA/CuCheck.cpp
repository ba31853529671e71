// CUresult to Status.
#include "runtime/CUDA/CuCheck.h"

#include <fmt/format.h>

namespace loom::rt {

Status cuResultStatus(const DriverApi &api, CUresult result,
                      const char *statement, const char *function,
                      const char *file, int line) {
  const char *name = nullptr;
  const char *text = nullptr;
  if (api.cuGetErrorName)
    api.cuGetErrorName(result, &name);
  if (api.cuGetErrorString)
    api.cuGetErrorString(result, &text);
  StatusCode code = result == CUDA_ERROR_OUT_OF_MEMORY ? StatusCode::kOutOfMemory
                                                       : StatusCode::kCudaError;
  std::string message = fmt::format(
      "{} failed: {} ({})", statement,
      name ? name : fmt::format("CUresult {}", static_cast<int>(result)),
      text ? text : "no description");
  return makeStatusAt(code, message, function, file, line);
}

} // namespace loom::rt

// Driver loading with dlopen/dlsym.
#include "runtime/CUDA/Driver.h"

#include "runtime/CUDA/CuCheck.h"

#include <fmt/format.h>

#include <dlfcn.h>
#include <mutex>

namespace loom::rt {

#define LOOM_STRINGIFY_INNER_(x) #x
/// Stringifies after macro expansion: LOOM_SYMBOL_NAME(cuMemAlloc) is "cuMemAlloc_v2".
#define LOOM_SYMBOL_NAME(x) LOOM_STRINGIFY_INNER_(x)

StatusOr<DriverApi> loadDriver(const std::string &library) {
  void *handle = ::dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char *reason = ::dlerror();
    return Status(StatusCode::kUnavailable,
                  fmt::format("no CUDA driver found: {}", reason ? reason : library));
  }
  DriverApi api;
#define LOOM_RESOLVE(name)                                                     \
  api.name = reinterpret_cast<decltype(api.name)>(                             \
      ::dlsym(handle, LOOM_SYMBOL_NAME(name)));                                \
  if (!api.name) {                                                             \
    ::dlclose(handle);                                                         \
    return Status(StatusCode::kUnavailable,                                    \
                  fmt::format("CUDA driver {} lacks {}; it is older than the " \
                              "CUDA {}.{} headers Loom was built with",        \
                              library, LOOM_SYMBOL_NAME(name),                 \
                              CUDA_VERSION / 1000, CUDA_VERSION % 1000 / 10)); \
  }
  LOOM_CUDA_DRIVER_FUNCTIONS(LOOM_RESOLVE)
#undef LOOM_RESOLVE
  if (CUresult init = api.cuInit(0); init != CUDA_SUCCESS) {
    // A driver without a usable device (or with a broken install) is "unavailable" too.
    Status reason = cuResultStatus(api, init, "cuInit(0)", __func__, __FILE__, __LINE__);
    return Status(StatusCode::kUnavailable,
                  fmt::format("CUDA driver {} is not usable: {}", library, reason.message()));
  }
  LOOM_CU_CHECK_WITH(api, api.cuDriverGetVersion(&api.driverVersion));
  return api;
}

StatusOr<const DriverApi *> driver() {
  static std::once_flag once;
  static StatusOr<DriverApi> loaded = Status(StatusCode::kInternal, "unset");
  std::call_once(once, [] { loaded = loadDriver("libcuda.so.1"); });
  if (!loaded.isOk())
    return loaded.status();
  return &loaded.value();
}

} // namespace loom::rt

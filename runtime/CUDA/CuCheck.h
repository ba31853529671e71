// LOOM_CU_CHECK: turns a failed CUresult into a Status naming the statement, function, file, line.
#pragma once

#include "runtime/CUDA/Driver.h"

namespace loom::rt {

/// "cuMemAlloc(&p, n) failed: CUDA_ERROR_OUT_OF_MEMORY (out of memory) [in f at X.cpp:12]".
/// Out-of-memory maps to kOutOfMemory, everything else to kCudaError.
Status cuResultStatus(const DriverApi &api, CUresult result,
                      const char *statement, const char *function,
                      const char *file, int line);
inline Status cuResultStatus(const DriverApi *api, CUresult result,
                             const char *statement, const char *function,
                             const char *file, int line) {
  return cuResultStatus(*api, result, statement, function, file, line);
}

} // namespace loom::rt

#define LOOM_CU_CHECK_IMPL_(api, call, text)                                   \
  do {                                                                         \
    CUresult loomCuResult_ = (call);                                           \
    if (loomCuResult_ != CUDA_SUCCESS)                                         \
      return ::loom::rt::cuResultStatus((api), loomCuResult_, text, __func__,  \
                                        __FILE__, __LINE__);                   \
  } while (0)

/// Evaluates a driver call through `api` and returns a Status from the enclosing function on error.
#define LOOM_CU_CHECK_WITH(api, call) LOOM_CU_CHECK_IMPL_(api, call, #call)

/// `LOOM_CU_CHECK(cu.cuMemAlloc(&ptr, bytes));` where `cu` (a DriverApi) is in scope; the
/// status records the statement as written, the function, file and line.
#define LOOM_CU_CHECK(call) LOOM_CU_CHECK_IMPL_(cu, call, #call)

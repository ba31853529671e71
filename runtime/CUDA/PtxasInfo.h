// PtxasInfo: per-kernel resource usage parsed from the `-Xptxas=-v` report in an NVRTC log.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace loom::rt {

/// What ptxas reported for one entry function; -1 where the report said nothing.
struct KernelResources {
  std::string function;
  int registers = -1;
  int sharedBytes = -1; ///< static shared memory
  int stackBytes = -1;
  int spillStoreBytes = -1;
  int spillLoadBytes = -1;
};

/// One entry per "Compiling entry function 'name'" block, in log order.
std::vector<KernelResources> parsePtxasInfo(std::string_view log);

} // namespace loom::rt

// The bundled device library (runtime/DeviceLib/loom/*.cuh), embedded in the binary as strings
// and handed to NVRTC as headers, so kernels can `#include "loom/types.cuh"` with no toolkit.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace loom::rt {

/// One embedded header: the include name ("loom/types.cuh") and its text.
struct EmbeddedHeader {
  std::string_view includeName;
  std::string_view contents;
};

/// Every header of the device library, in a stable order (generated at build time).
std::span<const EmbeddedHeader> deviceLibHeaders();

/// SHA-256 over all include names and contents; part of every kernel cache key.
const std::string &deviceLibDigest();

} // namespace loom::rt

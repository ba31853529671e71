// Parsing and validation of a safetensors header against the file it came from.
#pragma once

#include "frontend/Readers/DType.h"
#include "runtime/Support/Status.h"

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace loom::frontend {

/// One tensor entry of the header; offsets are relative to the data section.
struct TensorEntry {
  std::string name;
  DType dtype = DType::kF32;
  std::vector<int64_t> shape;
  uint64_t begin = 0;
  uint64_t end = 0;
};

/// A validated header: every entry's bytes lie inside the data section, match
/// its shape and dtype, and overlap no other entry.
struct SafetensorsHeader {
  std::vector<TensorEntry> tensors; ///< sorted by name
  std::map<std::string, std::string> metadata;
  uint64_t dataOffset = 0; ///< where the data section starts in the file
};

/// The largest header accepted (safetensors itself caps it at 100 MB).
inline constexpr uint64_t kMaxSafetensorsHeaderBytes = 100ull << 20;

/// Parses the header of the safetensors bytes `file`: an 8-byte little-endian
/// length N, N bytes of JSON, then the data section. `source` names the file
/// in errors.
StatusOr<SafetensorsHeader> parseSafetensorsHeader(std::span<const uint8_t> file,
                                                   std::string_view source);

} // namespace loom::frontend

// Whole-file reads and atomic whole-file writes (temp file + rename).
#pragma once

#include "runtime/Support/Status.h"

#include <string>
#include <string_view>

namespace loom {

/// Reads a whole file as bytes; kNotFound if it does not exist.
StatusOr<std::string> readFile(const std::string &path);

/// Writes `bytes` to a unique temp file beside `path`, then renames it over `path`, so a
/// concurrent reader sees the old file or the new one, never a torn one. Creates parent folders.
Status writeFileAtomic(const std::string &path, std::string_view bytes);

} // namespace loom

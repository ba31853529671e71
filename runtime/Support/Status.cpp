// Status formatting.
#include "runtime/Support/Status.h"

#include <fmt/format.h>

#include <array>
#include <cstring>

namespace loom {

const char *statusCodeName(StatusCode code) {
  static constexpr std::array<const char *, 9> kNames = {
      "ok",          "invalid argument", "not found",
      "unavailable", "out of memory",    "compile error",
      "cuda error",  "i/o error",        "internal error"};
  auto index = static_cast<size_t>(code);
  return index < kNames.size() ? kNames[index] : "unknown error";
}

std::string Status::toString() const {
  if (isOk())
    return "ok";
  return fmt::format("{}: {}", statusCodeName(code_), message_);
}

Status Status::withContext(const std::string &context) const {
  if (isOk())
    return *this;
  return Status(code_, fmt::format("{}: {}", context, message_));
}

Status makeStatusAt(StatusCode code, const std::string &message,
                    const char *function, const char *file, int line) {
  const char *base = std::strrchr(file, '/');
  return Status(code, fmt::format("{} [in {} at {}:{}]", message, function,
                                  base ? base + 1 : file, line));
}

} // namespace loom

// Typed GGUF metadata lookups.
#include "frontend/Readers/GgufMetadata.h"

#include <fmt/format.h>

namespace loom::frontend {

Status GgufMetadata::add(std::string key, GgufValue value) {
  if (index_.count(key))
    return invalid(fmt::format("metadata key '{}' appears more than once", key));
  index_.emplace(key, entries_.size());
  entries_.emplace_back(std::move(key), std::move(value));
  return Status::ok();
}

const GgufValue *GgufMetadata::find(std::string_view key) const {
  auto it = index_.find(key);
  return it == index_.end() ? nullptr : &entries_[it->second].second;
}

template <typename T, typename Convert>
StatusOr<T> GgufMetadata::require(std::string_view key, std::string_view expected,
                                  Convert convert) const {
  const GgufValue *value = find(key);
  if (!value)
    return missing(key);
  std::optional<T> converted = convert(*value);
  if (!converted)
    return wrongType(key, expected, *value);
  return std::move(*converted);
}

StatusOr<int64_t> GgufMetadata::requireInt(std::string_view key) const {
  return require<int64_t>(key, "an integer", [](const GgufValue &v) { return v.asInt(); });
}

StatusOr<int64_t> GgufMetadata::optionalInt(std::string_view key, int64_t fallback) const {
  return has(key) ? requireInt(key) : StatusOr<int64_t>(fallback);
}

StatusOr<double> GgufMetadata::requireNumber(std::string_view key) const {
  return require<double>(key, "a number", [](const GgufValue &v) { return v.asNumber(); });
}

StatusOr<double> GgufMetadata::optionalNumber(std::string_view key, double fallback) const {
  return has(key) ? requireNumber(key) : StatusOr<double>(fallback);
}

StatusOr<bool> GgufMetadata::optionalBool(std::string_view key, bool fallback) const {
  if (!has(key))
    return fallback;
  return require<bool>(key, "a bool", [](const GgufValue &v) { return v.asBool(); });
}

StatusOr<std::string> GgufMetadata::requireString(std::string_view key) const {
  return require<std::string>(key, "a string", [](const GgufValue &v) {
    const std::string *text = v.asString();
    return text ? std::optional<std::string>(*text) : std::nullopt;
  });
}

StatusOr<std::string> GgufMetadata::optionalString(std::string_view key,
                                                   std::string fallback) const {
  return has(key) ? requireString(key) : StatusOr<std::string>(std::move(fallback));
}

StatusOr<const std::vector<std::string> *>
GgufMetadata::requireStrings(std::string_view key) const {
  return require<const std::vector<std::string> *>(
      key, "an array of strings", [](const GgufValue &v) {
        const std::vector<std::string> *strings = v.asStrings();
        return strings ? std::optional(strings) : std::nullopt;
      });
}

StatusOr<std::vector<int64_t>> GgufMetadata::requireInts(std::string_view key) const {
  return require<std::vector<int64_t>>(key, "an array of integers",
                                       [](const GgufValue &v) { return v.asInts(); });
}

StatusOr<std::vector<double>> GgufMetadata::requireNumbers(std::string_view key) const {
  return require<std::vector<double>>(key, "an array of numbers",
                                      [](const GgufValue &v) { return v.asNumbers(); });
}

Status GgufMetadata::missing(std::string_view key) const {
  return invalid(fmt::format("missing required metadata key '{}'", key));
}

Status GgufMetadata::wrongType(std::string_view key, std::string_view expected,
                               const GgufValue &value) const {
  return invalid(
      fmt::format("metadata key '{}' must be {}, got {}", key, expected, value.describe()));
}

Status GgufMetadata::invalid(std::string_view message) const {
  return Status(StatusCode::kInvalidArgument, fmt::format("{}: {}", source_, message));
}

} // namespace loom::frontend

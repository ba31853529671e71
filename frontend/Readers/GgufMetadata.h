// The key/value metadata of a GGUF file, with typed lookups whose errors name the key.
#pragma once

#include "frontend/Readers/GgufValue.h"
#include "runtime/Support/Status.h"

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace loom::frontend {

/// Metadata entries in file order. Lookups of an absent key fall back (optional*)
/// or fail (require*); a present key of the wrong type always fails.
class GgufMetadata {
public:
  explicit GgufMetadata(std::string source = "") : source_(std::move(source)) {}

  /// Appends an entry; a key that is already present is an error.
  Status add(std::string key, GgufValue value);

  const GgufValue *find(std::string_view key) const;
  bool has(std::string_view key) const { return find(key) != nullptr; }
  const std::vector<std::pair<std::string, GgufValue>> &entries() const { return entries_; }
  /// The file the metadata came from, for error messages.
  const std::string &source() const { return source_; }

  StatusOr<int64_t> requireInt(std::string_view key) const;
  StatusOr<int64_t> optionalInt(std::string_view key, int64_t fallback) const;
  StatusOr<double> requireNumber(std::string_view key) const;
  StatusOr<double> optionalNumber(std::string_view key, double fallback) const;
  StatusOr<bool> optionalBool(std::string_view key, bool fallback) const;
  StatusOr<std::string> requireString(std::string_view key) const;
  StatusOr<std::string> optionalString(std::string_view key, std::string fallback) const;
  /// An array of strings; the pointer is valid while this object lives.
  StatusOr<const std::vector<std::string> *> requireStrings(std::string_view key) const;
  StatusOr<std::vector<int64_t>> requireInts(std::string_view key) const;
  StatusOr<std::vector<double>> requireNumbers(std::string_view key) const;

  /// "<source>: missing required metadata key '<key>'".
  Status missing(std::string_view key) const;
  /// "<source>: metadata key '<key>' must be <expected>, got <value>".
  Status wrongType(std::string_view key, std::string_view expected, const GgufValue &value) const;
  /// "<source>: <message>" as an invalid-argument Status.
  Status invalid(std::string_view message) const;

private:
  /// The value of `key`, converted by `convert`, or the missing/wrong-type error.
  template <typename T, typename Convert>
  StatusOr<T> require(std::string_view key, std::string_view expected, Convert convert) const;

  std::string source_;
  std::vector<std::pair<std::string, GgufValue>> entries_;
  std::map<std::string, size_t, std::less<>> index_;
};

} // namespace loom::frontend

// Typed access to JSON object fields with errors that name the field and the file.
#pragma once

#include "runtime/Support/Status.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace loom::frontend {

/// Parses `text` as JSON; a syntax error names `source` and the parser's reason.
StatusOr<nlohmann::json> parseJson(std::string_view text, std::string_view source);

/// A JSON object plus the name of the file it came from, for error messages.
/// Lookups of absent or null fields fall back (optional*) or fail (require*);
/// a present field of the wrong type always fails.
class JsonFields {
public:
  JsonFields(const nlohmann::json &object, std::string source)
      : object_(object), source_(std::move(source)) {}

  /// Whether `key` is present and not null.
  bool has(std::string_view key) const;
  const nlohmann::json *find(std::string_view key) const;

  StatusOr<int64_t> requireInt(std::string_view key) const;
  StatusOr<int64_t> optionalInt(std::string_view key, int64_t fallback) const;
  StatusOr<double> requireNumber(std::string_view key) const;
  StatusOr<double> optionalNumber(std::string_view key, double fallback) const;
  StatusOr<bool> optionalBool(std::string_view key, bool fallback) const;
  StatusOr<std::string> requireString(std::string_view key) const;
  StatusOr<std::string> optionalString(std::string_view key, std::string fallback) const;

  /// "<source>: missing required field '<key>'".
  Status missing(std::string_view key) const;
  /// "<source>: field '<key>' must be <expected>, got <value>".
  Status wrongType(std::string_view key, std::string_view expected,
                   const nlohmann::json &value) const;

  const std::string &source() const { return source_; }

private:
  const nlohmann::json &object_;
  std::string source_;
};

/// A tokenizer.json "Replace" step with a string pattern (normalizers and decoders share it).
struct StringReplace {
  std::string pattern, content;
};

/// Reads the fields of a "Replace" step: {"pattern": {"String": non-empty}, "content": text}.
StatusOr<StringReplace> readStringReplace(const JsonFields &fields);

/// How deeply tokenizer.json may nest "Sequence" steps.
inline constexpr int kMaxPipelineDepth = 8;

/// Walks one tokenizer.json pipeline component (`component`: "normalizer", "decoder", ...):
/// checks it is an object with a "type", flattens nested "Sequence" steps (their list under
/// `listKey`, at most kMaxPipelineDepth deep) and calls `visit` for every other step in order.
Status forEachPipelineStep(
    const nlohmann::json &value, const std::string &source, std::string_view component,
    std::string_view listKey, int depth,
    const std::function<Status(const JsonFields &fields, const std::string &type)> &visit);

/// A short rendering of a JSON value for error messages (at most ~60 characters).
std::string briefJson(const nlohmann::json &value);

/// Reads an integer value (not a float, not a bool) that fits in int64.
bool jsonToInt(const nlohmann::json &value, int64_t &out);

} // namespace loom::frontend

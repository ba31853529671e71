// JSON field access with field-and-file error messages.
#include "frontend/Readers/JsonFields.h"

#include <fmt/format.h>

#include <limits>

namespace loom::frontend {

StatusOr<nlohmann::json> parseJson(std::string_view text, std::string_view source) {
  try {
    return nlohmann::json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::exception &error) {
    return Status(StatusCode::kInvalidArgument,
                  fmt::format("{}: malformed JSON: {}", source, error.what()));
  }
}

Status forEachPipelineStep(
    const nlohmann::json &value, const std::string &source, std::string_view component,
    std::string_view listKey, int depth,
    const std::function<Status(const JsonFields &fields, const std::string &type)> &visit) {
  JsonFields fields(value, fmt::format("{}: {}", source, component));
  if (!value.is_object())
    return fields.wrongType(component, "an object", value);
  if (depth > kMaxPipelineDepth)
    return LOOM_ERROR(StatusCode::kInvalidArgument,
                      fmt::format("{}: Sequence nested deeper than {}", fields.source(),
                                  kMaxPipelineDepth));
  LOOM_ASSIGN_OR_RETURN(std::string type, fields.requireString("type"));
  if (type != "Sequence")
    return visit(fields, type);
  const nlohmann::json *list = fields.find(listKey);
  if (!list || !list->is_array())
    return fields.wrongType(listKey, "a list", list ? *list : nlohmann::json());
  for (const nlohmann::json &item : *list)
    LOOM_RETURN_IF_ERROR(forEachPipelineStep(item, source, component, listKey, depth + 1, visit));
  return Status::ok();
}

std::string briefJson(const nlohmann::json &value) {
  std::string text = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (text.size() > 60)
    text = text.substr(0, 57) + "...";
  return text;
}

bool jsonToInt(const nlohmann::json &value, int64_t &out) {
  if (value.is_number_unsigned()) {
    auto raw = value.get<uint64_t>();
    if (raw > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
      return false;
    out = static_cast<int64_t>(raw);
    return true;
  }
  if (value.is_number_integer()) {
    out = value.get<int64_t>();
    return true;
  }
  return false;
}

bool JsonFields::has(std::string_view key) const { return find(key) != nullptr; }

const nlohmann::json *JsonFields::find(std::string_view key) const {
  if (!object_.is_object())
    return nullptr;
  auto it = object_.find(key);
  if (it == object_.end() || it->is_null())
    return nullptr;
  return &*it;
}

Status JsonFields::missing(std::string_view key) const {
  return Status(StatusCode::kInvalidArgument,
                fmt::format("{}: missing required field '{}'", source_, key));
}

Status JsonFields::wrongType(std::string_view key, std::string_view expected,
                             const nlohmann::json &value) const {
  return Status(StatusCode::kInvalidArgument,
                fmt::format("{}: field '{}' must be {}, got {}", source_, key, expected,
                            briefJson(value)));
}

StatusOr<int64_t> JsonFields::requireInt(std::string_view key) const {
  const nlohmann::json *value = find(key);
  if (!value)
    return missing(key);
  int64_t out = 0;
  if (!jsonToInt(*value, out))
    return wrongType(key, "an integer", *value);
  return out;
}

StatusOr<int64_t> JsonFields::optionalInt(std::string_view key, int64_t fallback) const {
  return has(key) ? requireInt(key) : StatusOr<int64_t>(fallback);
}

StatusOr<double> JsonFields::requireNumber(std::string_view key) const {
  const nlohmann::json *value = find(key);
  if (!value)
    return missing(key);
  if (!value->is_number())
    return wrongType(key, "a number", *value);
  return value->get<double>();
}

StatusOr<double> JsonFields::optionalNumber(std::string_view key, double fallback) const {
  return has(key) ? requireNumber(key) : StatusOr<double>(fallback);
}

StatusOr<bool> JsonFields::optionalBool(std::string_view key, bool fallback) const {
  const nlohmann::json *value = find(key);
  if (!value)
    return fallback;
  if (!value->is_boolean())
    return wrongType(key, "true or false", *value);
  return value->get<bool>();
}

StatusOr<std::string> JsonFields::requireString(std::string_view key) const {
  const nlohmann::json *value = find(key);
  if (!value)
    return missing(key);
  if (!value->is_string())
    return wrongType(key, "a string", *value);
  return value->get<std::string>();
}

StatusOr<std::string> JsonFields::optionalString(std::string_view key,
                                                 std::string fallback) const {
  return has(key) ? requireString(key) : StatusOr<std::string>(std::move(fallback));
}

StatusOr<StringReplace> readStringReplace(const JsonFields &fields) {
  const nlohmann::json *pattern = fields.find("pattern");
  if (!pattern || !pattern->is_object() || !pattern->contains("String") ||
      !(*pattern)["String"].is_string() || (*pattern)["String"].get<std::string>().empty())
    return fields.wrongType("pattern", "{\"String\": non-empty text}",
                            pattern ? *pattern : nlohmann::json());
  LOOM_ASSIGN_OR_RETURN(std::string content, fields.requireString("content"));
  return StringReplace{(*pattern)["String"].get<std::string>(), std::move(content)};
}

} // namespace loom::frontend

// ApiError's JSON shape.
#include "tools/loom-run/serve/ApiError.h"

namespace loom::serve {

namespace {
nlohmann::json stringOrNull(const std::string &text) {
  return text.empty() ? nlohmann::json(nullptr) : nlohmann::json(text);
}
} // namespace

ApiError ApiError::invalidParam(std::string param, std::string message) {
  return {400, std::move(message), "invalid_request_error", std::move(param), "invalid_value"};
}

ApiError ApiError::badJson(std::string message) {
  return {400, std::move(message), "invalid_request_error", "", "invalid_json"};
}

nlohmann::json ApiError::toJson() const {
  return {{"error",
           {{"message", message},
            {"type", type},
            {"param", stringOrNull(param)},
            {"code", stringOrNull(code)}}}};
}

} // namespace loom::serve

// ApiError: an HTTP error status with an OpenAI-style error object.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace loom::serve {

/// An error the server answers with: `{"error": {"message", "type", "param", "code"}}`
/// under HTTP status `status`, as the OpenAI API does.
struct ApiError {
  int status = 400;
  std::string message;
  std::string type = "invalid_request_error";
  std::string param; ///< the request field at fault; empty → null
  std::string code;  ///< a machine-readable code; empty → null

  /// 400 invalid_request_error naming `param`.
  static ApiError invalidParam(std::string param, std::string message);
  /// 400 for a body that is not a JSON object.
  static ApiError badJson(std::string message);

  nlohmann::json toJson() const;
};

} // namespace loom::serve

// SSE framing.
#include "tools/loom-run/serve/SseEncoding.h"

namespace loom::serve {

std::string jsonText(const nlohmann::json &payload) {
  return payload.dump(-1, ' ', /*ensure_ascii=*/false, nlohmann::json::error_handler_t::replace);
}

std::string sseEvent(const nlohmann::json &payload) {
  // dump() escapes control characters, so the JSON never holds a raw newline.
  return "data: " + jsonText(payload) + "\n\n";
}

} // namespace loom::serve

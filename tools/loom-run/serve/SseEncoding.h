// Server-sent events as the OpenAI streaming API frames them: `data: {json}\n\n`, then
// `data: [DONE]\n\n`.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace loom::serve {

/// `payload` as compact JSON text; invalid UTF-8 in strings becomes U+FFFD instead of throwing.
std::string jsonText(const nlohmann::json &payload);
/// One event carrying `payload` (compact JSON on one line).
std::string sseEvent(const nlohmann::json &payload);
/// The event that ends an OpenAI stream.
inline constexpr std::string_view kSseDone = "data: [DONE]\n\n";
/// A comment line clients ignore; writing it finds out whether the client is still there.
inline constexpr std::string_view kSseKeepAlive = ": keep-alive\n\n";

} // namespace loom::serve

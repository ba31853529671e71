// OpenAiResponse: the JSON of completions and chat completions — whole responses and stream
// chunks — for one request.
#pragma once

#include "runtime/Engine/Sequence.h"
#include "tools/loom-run/serve/OpenAiRequest.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace loom::serve {

/// The OpenAI finish_reason of an engine finish: "stop" (EOS, a stop token or string),
/// "length" (max tokens or the context), and for metrics "cancelled" or "error".
std::string_view finishLabel(rt::FinishReason reason);

/// Token counts of a request.
struct Usage {
  int promptTokens = 0;
  int completionTokens = 0;
};

/// Builds the objects of one response; every chunk shares its id, creation time and model.
class OpenAiResponse {
public:
  OpenAiResponse(Endpoint endpoint, std::string model);

  const std::string &id() const { return id_; }
  /// A stream chunk with `text`; chat's first chunk also carries the assistant role.
  nlohmann::json chunk(std::string_view text, bool first) const;
  /// The last chunk of the choice, with its finish reason and no text.
  nlohmann::json finishChunk(rt::FinishReason reason) const;
  /// stream_options.include_usage: an empty-choices chunk with the usage.
  nlohmann::json usageChunk(const Usage &usage) const;
  /// A non-streamed response.
  nlohmann::json whole(std::string_view text, rt::FinishReason reason, const Usage &usage) const;

private:
  nlohmann::json envelope(bool streamed) const;
  nlohmann::json choice(nlohmann::json content, std::optional<rt::FinishReason> reason,
                        bool streamed) const;

  Endpoint endpoint_;
  std::string model_;
  std::string id_;
  int64_t created_;
};

} // namespace loom::serve

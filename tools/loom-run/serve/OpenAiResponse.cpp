// OpenAiResponse: completion and chat completion objects.
#include "tools/loom-run/serve/OpenAiResponse.h"

#include <fmt/format.h>

#include <atomic>
#include <chrono>

namespace loom::serve {

namespace {

using nlohmann::json;

/// Ids unique within the process and unlikely to repeat across restarts.
std::string nextId(Endpoint endpoint) {
  static std::atomic<uint64_t> counter{
      static_cast<uint64_t>(std::chrono::system_clock::now().time_since_epoch().count())};
  return fmt::format("{}-{:016x}", endpoint == Endpoint::kCompletions ? "cmpl" : "chatcmpl",
                     counter.fetch_add(1));
}

json usageJson(const Usage &usage) {
  return {{"prompt_tokens", usage.promptTokens},
          {"completion_tokens", usage.completionTokens},
          {"total_tokens", usage.promptTokens + usage.completionTokens}};
}

} // namespace

std::string_view finishLabel(rt::FinishReason reason) {
  switch (reason) {
  case rt::FinishReason::kEos:
  case rt::FinishReason::kStopToken:
  case rt::FinishReason::kStopString:
    return "stop";
  case rt::FinishReason::kMaxTokens:
  case rt::FinishReason::kContextLimit:
    return "length";
  case rt::FinishReason::kCancelled:
    return "cancelled";
  case rt::FinishReason::kError:
    return "error";
  }
  return "error";
}

OpenAiResponse::OpenAiResponse(Endpoint endpoint, std::string model)
    : endpoint_(endpoint), model_(std::move(model)), id_(nextId(endpoint)),
      created_(std::chrono::duration_cast<std::chrono::seconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count()) {}

json OpenAiResponse::envelope(bool streamed) const {
  bool chat = endpoint_ == Endpoint::kChatCompletions;
  std::string_view object = chat ? (streamed ? "chat.completion.chunk" : "chat.completion")
                                 : "text_completion";
  return {{"id", id_}, {"object", object}, {"created", created_}, {"model", model_}};
}

json OpenAiResponse::choice(json content, std::optional<rt::FinishReason> reason,
                            bool streamed) const {
  json result = {{"index", 0}};
  if (endpoint_ == Endpoint::kCompletions)
    result["text"] = std::move(content);
  else
    result[streamed ? "delta" : "message"] = std::move(content);
  result["logprobs"] = nullptr;
  result["finish_reason"] = reason ? json(finishLabel(*reason)) : json(nullptr);
  return result;
}

json OpenAiResponse::chunk(std::string_view text, bool first) const {
  json content = text;
  if (endpoint_ == Endpoint::kChatCompletions) {
    content = {{"content", text}};
    if (first)
      content["role"] = "assistant";
  }
  json result = envelope(true);
  result["choices"] = json::array({choice(std::move(content), std::nullopt, true)});
  return result;
}

json OpenAiResponse::finishChunk(rt::FinishReason reason) const {
  json content = endpoint_ == Endpoint::kChatCompletions ? json::object() : json("");
  json result = envelope(true);
  result["choices"] = json::array({choice(std::move(content), reason, true)});
  return result;
}

json OpenAiResponse::usageChunk(const Usage &usage) const {
  json result = envelope(true);
  result["choices"] = json::array();
  result["usage"] = usageJson(usage);
  return result;
}

json OpenAiResponse::whole(std::string_view text, rt::FinishReason reason,
                           const Usage &usage) const {
  json content = text;
  if (endpoint_ == Endpoint::kChatCompletions)
    content = {{"role", "assistant"}, {"content", text}};
  json result = envelope(false);
  result["choices"] = json::array({choice(std::move(content), reason, false)});
  result["usage"] = usageJson(usage);
  return result;
}

} // namespace loom::serve

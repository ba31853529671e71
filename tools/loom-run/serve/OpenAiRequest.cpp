// The parameter table of the OpenAI completions and chat completions requests.
#include "tools/loom-run/serve/OpenAiRequest.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

namespace loom::serve {

namespace {

using nlohmann::json;
using Error = std::optional<ApiError>;

Error invalid(std::string_view param, std::string message) {
  return ApiError::invalidParam(std::string(param), std::move(message));
}

Error readNumber(const json &value, std::string_view name, double min, double max, float &out) {
  if (!value.is_number())
    return invalid(name, fmt::format("{} must be a number", name));
  double number = value.get<double>();
  if (!std::isfinite(number) || number < min || number > max)
    return invalid(name, fmt::format("{} must be in [{}, {}], got {}", name, min, max, number));
  out = static_cast<float>(number);
  return std::nullopt;
}

Error readInteger(const json &value, std::string_view name, int64_t min, int64_t max,
                  int64_t &out) {
  if (!value.is_number_integer())
    return invalid(name, fmt::format("{} must be an integer", name));
  if (value.is_number_unsigned() && value.get<uint64_t>() > static_cast<uint64_t>(max))
    return invalid(name, fmt::format("{} must be in [{}, {}]", name, min, max));
  out = value.get<int64_t>();
  if (out < min || out > max)
    return invalid(name, fmt::format("{} must be in [{}, {}], got {}", name, min, max, out));
  return std::nullopt;
}

Error readInt(const json &value, std::string_view name, int min, int max, int &out) {
  int64_t wide = 0;
  if (Error error = readInteger(value, name, min, max, wide))
    return error;
  out = static_cast<int>(wide);
  return std::nullopt;
}

Error readBool(const json &value, std::string_view name, bool &out) {
  if (!value.is_boolean())
    return invalid(name, fmt::format("{} must be a boolean", name));
  out = value.get<bool>();
  return std::nullopt;
}

/// A parameter Loom accepts only at its neutral value (e.g. n = 1).
Error onlyValue(const json &value, std::string_view name, const json &neutral) {
  if (value == neutral)
    return std::nullopt;
  return invalid(name, fmt::format("{} is not supported (only {})", name, neutral.dump()));
}

Error readTokenIds(const json &value, std::string_view name, std::vector<rt::TokenId> &out) {
  for (const json &id : value) {
    int token = 0;
    if (Error error = readInt(id, name, 0, std::numeric_limits<int>::max(), token))
      return invalid(name, fmt::format("{} must hold token ids (integers >= 0)", name));
    out.push_back(token);
  }
  return std::nullopt;
}

/// A string, a one-element array of a string, an array of token ids, or a one-element array
/// of one.
Error readPrompt(const json &value, OpenAiRequest &request) {
  constexpr std::string_view kName = "prompt";
  if (value.is_string()) {
    request.promptText = value.get<std::string>();
    return std::nullopt;
  }
  if (!value.is_array() || value.empty())
    return invalid(kName, "prompt must be a string, an array of token ids, or an array of one "
                          "of them");
  if (value.size() == 1 && (value[0].is_string() || value[0].is_array()))
    return readPrompt(value[0], request);
  if (value[0].is_string() || value[0].is_array())
    return invalid(kName, "only one prompt per request is supported");
  return readTokenIds(value, kName, request.promptIds);
}

Error readMessageContent(const json &content, std::string &out) {
  if (content.is_string()) {
    out = content.get<std::string>();
    return std::nullopt;
  }
  if (!content.is_array())
    return invalid("messages", "a message's content must be a string or an array of text parts");
  for (const json &part : content) {
    if (!part.is_object() || part.value("type", "") != "text" || !part.contains("text") ||
        !part["text"].is_string())
      return invalid("messages", "only text content parts ({\"type\": \"text\", \"text\": ...}) "
                                 "are supported");
    out += part["text"].get<std::string>();
  }
  return std::nullopt;
}

Error readMessages(const json &value, OpenAiRequest &request) {
  if (!value.is_array() || value.empty())
    return invalid("messages", "messages must be a non-empty array");
  for (const json &message : value) {
    if (!message.is_object() || !message.contains("role") || !message["role"].is_string())
      return invalid("messages", "each message must be an object with a string role");
    std::string role = message["role"].get<std::string>();
    if (role == "developer")
      role = "system";
    if (role != "system" && role != "user" && role != "assistant")
      return invalid("messages",
                     fmt::format("role '{}' is not one of system, user, assistant", role));
    frontend::ChatMessage turn{role, ""};
    if (message.contains("content") && !message["content"].is_null())
      if (Error error = readMessageContent(message["content"], turn.content))
        return error;
    request.messages.push_back(std::move(turn));
  }
  return std::nullopt;
}

Error readStop(const json &value, OpenAiRequest &request) {
  std::vector<std::string> &stops = request.sampling.stopStrings;
  if (value.is_string())
    stops.push_back(value.get<std::string>());
  else if (value.is_array() && value.size() <= 4 &&
           std::all_of(value.begin(), value.end(), [](const json &s) { return s.is_string(); }))
    for (const json &stop : value)
      stops.push_back(stop.get<std::string>());
  else
    return invalid("stop", "stop must be a string or an array of at most 4 strings");
  if (std::any_of(stops.begin(), stops.end(), [](const std::string &s) { return s.empty(); }))
    return invalid("stop", "stop strings must not be empty");
  return std::nullopt;
}

Error readMaxTokens(const json &value, std::string_view name, OpenAiRequest &request) {
  request.maxTokensGiven = true;
  return readInt(value, name, 1, 1 << 20, request.sampling.maxTokens);
}

Error readStreamOptions(const json &value, OpenAiRequest &request) {
  if (!value.is_object())
    return invalid("stream_options", "stream_options must be an object");
  for (const auto &[key, option] : value.items()) {
    if (key != "include_usage")
      return invalid("stream_options", fmt::format("unknown stream option '{}'", key));
    if (Error error = readBool(option, "stream_options.include_usage", request.includeUsage))
      return error;
  }
  return std::nullopt;
}

enum EndpointMask : unsigned { kCompletionsOnly = 1, kChatOnly = 2, kBoth = 3 };

/// One request parameter: where it is accepted and how it is read.
struct ParamRule {
  std::string_view name;
  unsigned endpoints;
  Error (*read)(const json &value, OpenAiRequest &request);
};

// clang-format off
constexpr std::array<ParamRule, 26> kParams = {{
    {"model", kBoth, [](const json &v, OpenAiRequest &r) -> Error {
       if (!v.is_string()) return invalid("model", "model must be a string");
       r.model = v.get<std::string>(); return std::nullopt; }},
    {"prompt", kCompletionsOnly, readPrompt},
    {"messages", kChatOnly, readMessages},
    {"max_tokens", kBoth, [](const json &v, OpenAiRequest &r) {
       return readMaxTokens(v, "max_tokens", r); }},
    {"max_completion_tokens", kChatOnly, [](const json &v, OpenAiRequest &r) {
       return readMaxTokens(v, "max_completion_tokens", r); }},
    {"temperature", kBoth, [](const json &v, OpenAiRequest &r) {
       return readNumber(v, "temperature", 0.0, 2.0, r.sampling.temperature); }},
    {"top_p", kBoth, [](const json &v, OpenAiRequest &r) -> Error {
       if (Error e = readNumber(v, "top_p", 0.0, 1.0, r.sampling.topP)) return e;
       if (r.sampling.topP <= 0.0f) return invalid("top_p", "top_p must be in (0, 1], got 0");
       return std::nullopt; }},
    {"top_k", kBoth, [](const json &v, OpenAiRequest &r) -> Error {
       if (Error e = readInt(v, "top_k", -1, 1 << 24, r.sampling.topK)) return e;
       r.sampling.topK = std::max(r.sampling.topK, 0); return std::nullopt; }}, // -1: off (vLLM)
    {"min_p", kBoth, [](const json &v, OpenAiRequest &r) {
       return readNumber(v, "min_p", 0.0, 1.0, r.sampling.minP); }},
    {"repetition_penalty", kBoth, [](const json &v, OpenAiRequest &r) {
       return readNumber(v, "repetition_penalty", 0.01, 100.0, r.sampling.repetitionPenalty); }},
    {"seed", kBoth, [](const json &v, OpenAiRequest &r) -> Error {
       int64_t seed = 0;
       if (Error e = readInteger(v, "seed", std::numeric_limits<int64_t>::min(),
                                 std::numeric_limits<int64_t>::max(), seed)) return e;
       r.sampling.seed = static_cast<uint64_t>(seed); return std::nullopt; }},
    {"stop", kBoth, readStop},
    {"stop_token_ids", kBoth, [](const json &v, OpenAiRequest &r) -> Error {
       if (!v.is_array()) return invalid("stop_token_ids", "stop_token_ids must be an array");
       return readTokenIds(v, "stop_token_ids", r.sampling.stopTokenIds); }},
    {"ignore_eos", kBoth, [](const json &v, OpenAiRequest &r) {
       return readBool(v, "ignore_eos", r.sampling.ignoreEos); }},
    {"stream", kBoth, [](const json &v, OpenAiRequest &r) { return readBool(v, "stream", r.stream); }},
    {"stream_options", kBoth, readStreamOptions},
    {"echo", kCompletionsOnly, [](const json &v, OpenAiRequest &r) {
       return readBool(v, "echo", r.echo); }},
    {"user", kBoth, [](const json &v, OpenAiRequest &) -> Error {
       if (!v.is_string()) return invalid("user", "user must be a string");
       return std::nullopt; }},
    {"n", kBoth, [](const json &v, OpenAiRequest &) { return onlyValue(v, "n", 1); }},
    {"best_of", kCompletionsOnly, [](const json &v, OpenAiRequest &) {
       return onlyValue(v, "best_of", 1); }},
    {"presence_penalty", kBoth, [](const json &v, OpenAiRequest &) -> Error {
       float penalty = 0;
       if (Error e = readNumber(v, "presence_penalty", -2.0, 2.0, penalty)) return e;
       return onlyValue(penalty, "presence_penalty", 0); }},
    {"frequency_penalty", kBoth, [](const json &v, OpenAiRequest &) -> Error {
       float penalty = 0;
       if (Error e = readNumber(v, "frequency_penalty", -2.0, 2.0, penalty)) return e;
       return onlyValue(penalty, "frequency_penalty", 0); }},
    {"logprobs", kBoth, [](const json &v, OpenAiRequest &) -> Error {
       if (v == false || v == 0) return std::nullopt;
       return invalid("logprobs", "logprobs is not supported"); }},
    {"top_logprobs", kChatOnly, [](const json &v, OpenAiRequest &) {
       return onlyValue(v, "top_logprobs", 0); }},
    {"logit_bias", kBoth, [](const json &v, OpenAiRequest &) -> Error {
       if (v.is_object() && v.empty()) return std::nullopt;
       return invalid("logit_bias", "logit_bias is not supported"); }},
    {"suffix", kCompletionsOnly, [](const json &v, OpenAiRequest &) -> Error {
       if (v.is_string() && v.get<std::string>().empty()) return std::nullopt;
       return invalid("suffix", "suffix is not supported"); }},
}};
// clang-format on

unsigned endpointBit(Endpoint endpoint) {
  return endpoint == Endpoint::kCompletions ? kCompletionsOnly : kChatOnly;
}

} // namespace

std::variant<OpenAiRequest, ApiError> parseOpenAiRequest(std::string_view body,
                                                         Endpoint endpoint) {
  json parsed = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded())
    return ApiError::badJson("the request body is not valid JSON");
  if (!parsed.is_object())
    return ApiError::badJson("the request body must be a JSON object");
  OpenAiRequest request;
  request.endpoint = endpoint;
  for (const auto &[key, value] : parsed.items()) {
    const ParamRule *rule = nullptr;
    for (const ParamRule &candidate : kParams)
      if (candidate.name == key && (candidate.endpoints & endpointBit(endpoint)))
        rule = &candidate;
    if (!rule)
      return ApiError::invalidParam(key, fmt::format("unrecognized request argument '{}'", key));
    if (value.is_null())
      continue;
    if (Error error = rule->read(value, request))
      return *error;
  }
  std::string_view required = endpoint == Endpoint::kCompletions ? "prompt" : "messages";
  if (!parsed.contains(required) || parsed[required].is_null())
    return ApiError::invalidParam(std::string(required), fmt::format("{} is required", required));
  if (!request.stream && request.includeUsage)
    request.includeUsage = false; // stream_options only shape streamed responses
  return request;
}

} // namespace loom::serve

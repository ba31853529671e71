// OpenAiRequest: parameters read into SamplingParams, and each kind of bad input → 400 naming it.
#include "tools/loom-run/serve/OpenAiRequest.h"

#include <gtest/gtest.h>

namespace loom::serve {
namespace {

OpenAiRequest parseOk(std::string_view body, Endpoint endpoint = Endpoint::kCompletions) {
  auto parsed = parseOpenAiRequest(body, endpoint);
  if (auto *error = std::get_if<ApiError>(&parsed))
    ADD_FAILURE() << body << " → " << error->message;
  return std::holds_alternative<OpenAiRequest>(parsed) ? std::get<OpenAiRequest>(parsed)
                                                       : OpenAiRequest{};
}

ApiError parseError(std::string_view body, Endpoint endpoint = Endpoint::kCompletions) {
  auto parsed = parseOpenAiRequest(body, endpoint);
  EXPECT_TRUE(std::holds_alternative<ApiError>(parsed)) << body;
  return std::holds_alternative<ApiError>(parsed) ? std::get<ApiError>(parsed) : ApiError{};
}

TEST(OpenAiRequest, ReadsCompletionParameters) {
  OpenAiRequest r = parseOk(R"({"model": "m", "prompt": "Once", "max_tokens": 7,
      "temperature": 0, "top_p": 0.5, "top_k": 40, "min_p": 0.1, "seed": 9,
      "stop": ["\n", "."], "stream": true, "stream_options": {"include_usage": true},
      "echo": true, "n": 1, "presence_penalty": 0, "logprobs": null, "user": "u"})");
  EXPECT_EQ(r.model, "m");
  EXPECT_EQ(r.promptText, "Once");
  EXPECT_EQ(r.sampling.maxTokens, 7);
  EXPECT_TRUE(r.maxTokensGiven);
  EXPECT_EQ(r.sampling.temperature, 0.0f);
  EXPECT_EQ(r.sampling.topP, 0.5f);
  EXPECT_EQ(r.sampling.topK, 40);
  EXPECT_FLOAT_EQ(r.sampling.minP, 0.1f);
  EXPECT_EQ(r.sampling.seed, 9u);
  EXPECT_EQ(r.sampling.stopStrings, (std::vector<std::string>{"\n", "."}));
  EXPECT_TRUE(r.stream);
  EXPECT_TRUE(r.includeUsage);
  EXPECT_TRUE(r.echo);
}

TEST(OpenAiRequest, OpenAiDefaults) {
  OpenAiRequest r = parseOk(R"({"prompt": "x"})");
  EXPECT_EQ(r.sampling.temperature, 1.0f);
  EXPECT_FALSE(r.maxTokensGiven);
  EXPECT_FALSE(r.stream);
}

TEST(OpenAiRequest, TokenIdPrompts) {
  EXPECT_EQ(parseOk(R"({"prompt": [1, 403, 407]})").promptIds,
            (std::vector<rt::TokenId>{1, 403, 407}));
  EXPECT_EQ(parseOk(R"({"prompt": [[5, 6]]})").promptIds, (std::vector<rt::TokenId>{5, 6}));
  EXPECT_EQ(parseOk(R"({"prompt": ["text"]})").promptText, "text");
  EXPECT_EQ(parseError(R"({"prompt": ["a", "b"]})").param, "prompt");
  EXPECT_EQ(parseError(R"({"prompt": [1, -2]})").param, "prompt");
}

TEST(OpenAiRequest, ChatMessages) {
  OpenAiRequest r = parseOk(R"({"messages": [{"role": "system", "content": "Be brief."},
      {"role": "user", "content": [{"type": "text", "text": "Hi"}, {"type": "text", "text": "!"}]}],
      "max_completion_tokens": 5})",
                            Endpoint::kChatCompletions);
  ASSERT_EQ(r.messages.size(), 2u);
  EXPECT_EQ(r.messages[0].role, "system");
  EXPECT_EQ(r.messages[1].content, "Hi!");
  EXPECT_EQ(r.sampling.maxTokens, 5);
  EXPECT_EQ(parseError(R"({"messages": [{"role": "robot", "content": "x"}]})",
                       Endpoint::kChatCompletions)
                .param,
            "messages");
  EXPECT_EQ(parseError(R"({"messages": []})", Endpoint::kChatCompletions).param, "messages");
}

TEST(OpenAiRequest, BadInputNamesTheParameter) {
  struct Case {
    std::string_view body, param;
  };
  const Case cases[] = {
      {R"({"prompt": "x", "temperature": -1})", "temperature"},
      {R"({"prompt": "x", "temperature": 2.5})", "temperature"},
      {R"({"prompt": "x", "temperature": "hot"})", "temperature"},
      {R"({"prompt": "x", "top_p": 0})", "top_p"},
      {R"({"prompt": "x", "max_tokens": 0})", "max_tokens"},
      {R"({"prompt": "x", "max_tokens": 1.5})", "max_tokens"},
      {R"({"prompt": "x", "n": 2})", "n"},
      {R"({"prompt": "x", "logprobs": 3})", "logprobs"},
      {R"({"prompt": "x", "frequency_penalty": 0.5})", "frequency_penalty"},
      {R"({"prompt": "x", "stop": ["a", "b", "c", "d", "e"]})", "stop"},
      {R"({"prompt": "x", "stop": ""})", "stop"},
      {R"({"prompt": "x", "stream": "yes"})", "stream"},
      {R"({"prompt": "x", "frobnicate": 1})", "frobnicate"},
      {R"({"prompt": "x", "messages": []})", "messages"}, // a chat field on completions
      {R"({"max_tokens": 3})", "prompt"},
  };
  for (const Case &c : cases) {
    ApiError error = parseError(c.body);
    EXPECT_EQ(error.status, 400) << c.body;
    EXPECT_EQ(error.param, c.param) << c.body << " → " << error.message;
    EXPECT_EQ(error.type, "invalid_request_error");
  }
}

TEST(OpenAiRequest, MalformedJson) {
  for (std::string_view body : {"{\"prompt\": ", "[1, 2]", "", "null"}) {
    ApiError error = parseError(body);
    EXPECT_EQ(error.status, 400);
    EXPECT_EQ(error.code, "invalid_json") << body;
    nlohmann::json shape = error.toJson();
    EXPECT_TRUE(shape["error"]["param"].is_null());
    EXPECT_EQ(shape["error"]["type"], "invalid_request_error");
  }
}

} // namespace
} // namespace loom::serve

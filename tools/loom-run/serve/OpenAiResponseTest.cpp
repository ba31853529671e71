// OpenAiResponse and SSE: the exact shapes the openai client reads.
#include "tools/loom-run/serve/OpenAiResponse.h"
#include "tools/loom-run/serve/SseEncoding.h"

#include <gtest/gtest.h>

namespace loom::serve {
namespace {

using nlohmann::json;

TEST(OpenAiResponse, CompletionChunksAndWhole) {
  OpenAiResponse response(Endpoint::kCompletions, "stories");
  json chunk = response.chunk("Once", true);
  EXPECT_EQ(chunk["object"], "text_completion");
  EXPECT_EQ(chunk["model"], "stories");
  EXPECT_EQ(chunk["id"], response.id());
  EXPECT_EQ(chunk["choices"][0]["text"], "Once");
  EXPECT_TRUE(chunk["choices"][0]["finish_reason"].is_null());
  EXPECT_EQ(response.finishChunk(rt::FinishReason::kMaxTokens)["choices"][0]["finish_reason"],
            "length");
  json whole = response.whole("abc", rt::FinishReason::kEos, {5, 3});
  EXPECT_EQ(whole["choices"][0]["text"], "abc");
  EXPECT_EQ(whole["choices"][0]["finish_reason"], "stop");
  EXPECT_EQ(whole["usage"], (json{{"prompt_tokens", 5}, {"completion_tokens", 3},
                                  {"total_tokens", 8}}));
}

TEST(OpenAiResponse, ChatChunksCarryDeltas) {
  OpenAiResponse response(Endpoint::kChatCompletions, "m");
  json first = response.chunk("Hi", true);
  EXPECT_EQ(first["object"], "chat.completion.chunk");
  EXPECT_EQ(first["choices"][0]["delta"], (json{{"role", "assistant"}, {"content", "Hi"}}));
  EXPECT_EQ(response.chunk("!", false)["choices"][0]["delta"], (json{{"content", "!"}}));
  json last = response.finishChunk(rt::FinishReason::kStopString);
  EXPECT_EQ(last["choices"][0]["delta"], json::object());
  EXPECT_EQ(last["choices"][0]["finish_reason"], "stop");
  json usage = response.usageChunk({2, 1});
  EXPECT_TRUE(usage["choices"].empty());
  EXPECT_EQ(usage["usage"]["total_tokens"], 3);
  json whole = response.whole("Hello", rt::FinishReason::kContextLimit, {1, 1});
  EXPECT_EQ(whole["object"], "chat.completion");
  EXPECT_EQ(whole["choices"][0]["message"], (json{{"role", "assistant"}, {"content", "Hello"}}));
  EXPECT_NE(OpenAiResponse(Endpoint::kChatCompletions, "m").id(), response.id());
}

TEST(SseEncoding, OneLinePerEvent) {
  EXPECT_EQ(sseEvent(json{{"text", "a\nb"}}), "data: {\"text\":\"a\\nb\"}\n\n");
  EXPECT_EQ(kSseDone, "data: [DONE]\n\n");
  // Invalid UTF-8 (a lone continuation byte) becomes U+FFFD instead of throwing.
  EXPECT_EQ(jsonText(json("x\x80y")), "\"x\xEF\xBF\xBDy\"");
}

} // namespace
} // namespace loom::serve

// Streaming detokenization with stories260k: deltas concatenate to decode(), and a
// character split over byte-fallback tokens is held back until complete.
#include "frontend/Readers/StreamDecoder.h"
#include "frontend/Readers/Utf8.h"
#include "test/unit/Readers/TempDir.h"

#include <gtest/gtest.h>

namespace loom::frontend {
namespace {

Tokenizer stories() {
  auto tokenizer = Tokenizer::open(testing::stories260kDir());
  EXPECT_TRUE(tokenizer.isOk()) << tokenizer.status().toString();
  return std::move(*tokenizer);
}

std::vector<std::string> deltas(StreamDecoder &stream, const std::vector<int32_t> &ids) {
  std::vector<std::string> out;
  for (int32_t id : ids) {
    auto delta = stream.push(id);
    EXPECT_TRUE(delta.isOk()) << delta.status().toString();
    out.push_back(delta.isOk() ? *delta : "<error>");
  }
  return out;
}

TEST(StreamDecoderTest, WordsArriveWithTheirSpaces) {
  StreamDecoder stream(stories());
  EXPECT_EQ(deltas(stream, {1, 403, 407, 261, 378}),
            (std::vector<std::string>{"", "Once", " upon", " a", " time"}));
}

TEST(StreamDecoderTest, HoldsBackASplitCharacter) {
  StreamDecoder stream(stories());
  // "x 日本": 日 = <0xE6><0x97><0xA5>, 本 = <0xE6><0x9C><0xAC>.
  EXPECT_EQ(deltas(stream, {1, 410, 444, 410, 233, 154, 168, 233, 159, 175}),
            (std::vector<std::string>{"", "", "x", " ", "", "", "日", "", "", "本"}));
}

TEST(StreamDecoderTest, ConcatenationEqualsDecode) {
  Tokenizer tokenizer = stories();
  // The second text once lost the space before "x": a skipped <s> had become the
  // window's first token, so the next "▁" was stripped as if it began the text.
  for (std::string text : {"Lily saw a 🙂 and said \"héllo 日本\"!\nThe end.",
                           "Once upon a time, Lily 日 <s> x", "<s><s> a </s>  b"}) {
    auto ids = tokenizer.encode(text);
    ASSERT_TRUE(ids.isOk());
    StreamDecoder stream(tokenizer);
    std::string joined;
    for (const std::string &delta : deltas(stream, *ids)) {
      EXPECT_TRUE(isValidUtf8(delta)) << delta;
      joined += delta;
    }
    joined += stream.finish();
    EXPECT_EQ(joined, *tokenizer.decode(*ids, /*skipSpecialTokens=*/true)) << text;
  }
}

TEST(StreamDecoderTest, SkippedSpecialTokenKeepsTheFollowingSpace) {
  StreamDecoder stream(stories());
  // <s> ▁a ▁ <s> ▁ x: the space after the skipped <s> must survive.
  EXPECT_EQ(deltas(stream, {1, 261, 410, 1, 410, 444}),
            (std::vector<std::string>{"", "a", " ", "", " ", "x"}));
}

TEST(StreamDecoderTest, FinishFlushesAnUnfinishedCharacter) {
  StreamDecoder stream(stories());
  EXPECT_EQ(deltas(stream, {1, 233, 154}), (std::vector<std::string>{"", "", ""}));
  EXPECT_EQ(stream.finish(), "\xEF\xBF\xBD");
}

TEST(StreamDecoderTest, BadIdIsAnErrorAndTheStreamGoesOn) {
  StreamDecoder stream(stories());
  EXPECT_EQ(*stream.push(403), "Once");
  auto bad = stream.push(100000);
  ASSERT_FALSE(bad.isOk());
  EXPECT_NE(bad.status().message().find("token id 100000"), std::string::npos);
  EXPECT_EQ(*stream.push(407), " upon");
}

} // namespace
} // namespace loom::frontend

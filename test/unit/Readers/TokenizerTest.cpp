// stories260k tokenizer.json (SentencePiece-style BPE with byte fallback): reference ids,
// round trips, special tokens, and errors for unknown kinds.
#include "frontend/Readers/Tokenizer.h"
#include "test/unit/Readers/TempDir.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <fstream>
#include <functional>

namespace loom::frontend {
namespace {

using testing::stories260kDir;

class Stories260kTokenizerTest : public ::testing::Test {
protected:
  void SetUp() override {
    auto loaded = Tokenizer::open(stories260kDir());
    ASSERT_TRUE(loaded.isOk()) << loaded.status().toString();
    tokenizer.emplace(std::move(*loaded));
  }
  std::vector<int32_t> encode(std::string_view text, bool special = true) {
    auto ids = tokenizer->encode(text, special);
    EXPECT_TRUE(ids.isOk()) << ids.status().toString();
    return ids.isOk() ? *ids : std::vector<int32_t>{};
  }
  std::string decode(const std::vector<int32_t> &ids, bool skipSpecial) {
    auto text = tokenizer->decode(ids, skipSpecial);
    EXPECT_TRUE(text.isOk()) << text.status().toString();
    return text.isOk() ? *text : std::string();
  }
  std::optional<Tokenizer> tokenizer;
};

// Expected ids below come from the issue and from Hugging Face `tokenizers` 0.23.

TEST_F(Stories260kTokenizerTest, ReferenceIds) {
  EXPECT_EQ(encode("Once upon a time"), (std::vector<int32_t>{1, 403, 407, 261, 378}));
  EXPECT_EQ(encode("Lily and Tom went to the park."),
            (std::vector<int32_t>{1, 317, 269, 274, 287, 263, 377, 267, 265, 282, 295, 433,
                                  426}));
}

TEST_F(Stories260kTokenizerTest, ByteFallbackForCharactersOutsideTheVocab) {
  // 日 = E6 97 A5 → <0xE6><0x97><0xA5> = ids 233 154 168.
  EXPECT_EQ(encode("héllo 日本 x\n"),
            (std::vector<int32_t>{1, 270, 485, 306, 414, 410, 233, 154, 168, 233, 159, 175,
                                  410, 444, 13}));
}

TEST_F(Stories260kTokenizerTest, SpacesAndEmptyInput) {
  EXPECT_EQ(encode("  two  spaces"),
            (std::vector<int32_t>{1, 410, 410, 259, 424, 414, 410, 262, 427, 412, 331, 419}));
  EXPECT_EQ(encode(""), std::vector<int32_t>{1});
  EXPECT_EQ(encode("", /*special=*/false), std::vector<int32_t>{});
  EXPECT_EQ(encode("Once upon a time", /*special=*/false),
            (std::vector<int32_t>{403, 407, 261, 378}));
}

TEST_F(Stories260kTokenizerTest, SpecialTokensInTextAreMatchedBeforeBpe) {
  // Each segment after a special token is normalized on its own ("b" gets its ▁).
  EXPECT_EQ(encode("a<s>b  c"), (std::vector<int32_t>{1, 261, 1, 268, 410, 280}));
}

TEST_F(Stories260kTokenizerTest, DecodeRoundTrips) {
  for (std::string text : {"Once upon a time", "Lily and Tom went to the park.",
                           "héllo 日本 x\n", "  two  spaces"}) {
    EXPECT_EQ(decode(encode(text), /*skipSpecial=*/true), text);
  }
  // Hugging Face keeps special tokens by default and fuses them with the text.
  EXPECT_EQ(decode(encode("Once upon a time"), false), "<s> Once upon a time");
}

TEST_F(Stories260kTokenizerTest, DecodeReplacesIncompleteBytes) {
  // Two of the three bytes of 日, as Hugging Face decodes them: one U+FFFD per byte.
  EXPECT_EQ(decode({233, 154}, false), "\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(decode({233, 154, 168, 261}, false), "日 a");
}

TEST_F(Stories260kTokenizerTest, VocabularyLookups) {
  EXPECT_EQ(tokenizer->vocabSize(), 512);
  EXPECT_EQ(tokenizer->tokenToId("<s>"), 1);
  EXPECT_EQ(tokenizer->tokenToId("\u2581the"), 265);
  EXPECT_EQ(tokenizer->idToToken(259), "\u2581t");
  EXPECT_FALSE(tokenizer->idToToken(512).has_value());
  EXPECT_TRUE(tokenizer->isSpecial(2));
  EXPECT_FALSE(tokenizer->isSpecial(265));
}

TEST_F(Stories260kTokenizerTest, BadInputs) {
  auto invalidUtf8 = tokenizer->encode("ab\xC3(");
  ASSERT_FALSE(invalidUtf8.isOk());
  EXPECT_NE(invalidUtf8.status().message().find("not valid UTF-8"), std::string::npos);
  auto outOfRange = tokenizer->decode(std::vector<int32_t>{1, 512});
  ASSERT_FALSE(outOfRange.isOk());
  EXPECT_NE(outOfRange.status().message().find("token id 512 is not in the vocabulary"),
            std::string::npos);
}

/// stories260k's tokenizer.json with `edit` applied.
std::string editedStories(const std::function<void(nlohmann::json &)> &edit) {
  auto text = Tokenizer::open(stories260kDir()); // proves the file is readable
  EXPECT_TRUE(text.isOk());
  std::ifstream in(stories260kDir() + "/tokenizer.json");
  nlohmann::json json = nlohmann::json::parse(in);
  edit(json);
  return json.dump();
}

void expectRejected(const std::string &json, std::string_view expected) {
  auto tokenizer = Tokenizer::fromJson(json, "m/tokenizer.json");
  ASSERT_FALSE(tokenizer.isOk()) << "accepted; expected: " << expected;
  EXPECT_EQ(tokenizer.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(tokenizer.status().message().find(expected), std::string::npos)
      << tokenizer.status().message();
  EXPECT_NE(tokenizer.status().message().find("m/tokenizer.json"), std::string::npos)
      << tokenizer.status().message();
}

TEST(TokenizerErrorTest, UnknownModelType) {
  expectRejected(editedStories([](nlohmann::json &j) { j["model"]["type"] = "Unigram"; }),
                 "unsupported tokenizer model type 'Unigram' (only BPE is supported)");
}

TEST(TokenizerErrorTest, UnknownPipelineSteps) {
  expectRejected(editedStories([](nlohmann::json &j) {
                   j["normalizer"] = {{"type", "BertNormalizer"}};
                 }),
                 "unsupported normalizer type 'BertNormalizer'");
  expectRejected(editedStories([](nlohmann::json &j) {
                   j["pre_tokenizer"] = {{"type", "Whitespace"}};
                 }),
                 "unsupported pre_tokenizer type 'Whitespace'");
  expectRejected(editedStories([](nlohmann::json &j) { j["decoder"] = {{"type", "CTC"}}; }),
                 "unsupported decoder type 'CTC'");
}

TEST(TokenizerErrorTest, BrokenTables) {
  expectRejected(editedStories([](nlohmann::json &j) { j.erase("model"); }),
                 "missing required field 'model'");
  expectRejected(editedStories([](nlohmann::json &j) {
                   j["model"]["merges"].push_back("\u2581zz qq");
                 }),
                 "merge \"▁zz qq\" uses a token missing from the vocab");
  expectRejected(editedStories([](nlohmann::json &j) { j["model"]["unk_token"] = "<nope>"; }),
                 "unk_token '<nope>' is not in the vocab");
  expectRejected(editedStories([](nlohmann::json &j) {
                   j["post_processor"]["special_tokens"]["<s>"]["ids"] = {9999};
                 }),
                 "post_processor inserts id 9999, which no token has");
  expectRejected("{\"model\": ", "malformed JSON");
}

TEST(TokenizerErrorTest, MissingFileIsNotFound) {
  auto tokenizer = Tokenizer::open("/nonexistent/loom/tokenizer.json");
  ASSERT_FALSE(tokenizer.isOk());
  EXPECT_EQ(tokenizer.status().code(), StatusCode::kNotFound);
}

} // namespace
} // namespace loom::frontend

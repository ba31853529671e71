// GPT-2 byte-level BPE (the Llama 3 / Qwen2 / SmolLM form) on a hand-made tokenizer.json.
#include "frontend/Readers/StreamDecoder.h"
#include "frontend/Readers/Tokenizer.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace loom::frontend {
namespace {

// Byte-level characters: "Ġ" is the space byte, "Ċ" the newline, "Ã" "©" the two bytes of é.
// Merges by rank: 0 "h e", 1 "l l", 2 "he ll", 3 "hell o", 4 "Ġ w", 5 "o r", 6 "Ġw or",
// 7 "l d", 8 "Ã ©".
//
// Hand derivation of "hello world!": the GPT-2 regex splits "hello" | " world" | "!",
// mapped to "hello" "Ġworld" "!".
//   hello:  h e l l o → (h,e)#0 → he l l o → (l,l)#1 → he ll o → (he,ll)#2 → hell o
//           → (hell,o)#3 → hello = [13]
//   Ġworld: Ġ w o r l d; ranks (Ġ,w)#4 (o,r)#5 (l,d)#7 → Ġw o r l d → Ġw or l d
//           → (Ġw,or)#6 → Ġwor l d → (l,d)#7 → Ġwor ld = [16, 17]
//   !:      [1]
// With the template's <|begin_of_text|> (22) first: [22, 13, 16, 17, 1].
nlohmann::json byteLevelTokenizer(bool pairMerges) {
  nlohmann::json vocab = {
      {"<|endoftext|>", 0}, {"!", 1},     {"d", 2},    {"e", 3},     {"h", 4},
      {"l", 5},             {"o", 6},     {"r", 7},    {"w", 8},     {"\u0120", 9},
      {"he", 10},           {"ll", 11},   {"hell", 12}, {"hello", 13}, {"\u0120w", 14},
      {"or", 15},           {"\u0120wor", 16}, {"ld", 17}, {"\u00c3", 18}, {"\u00a9", 19},
      {"\u00c3\u00a9", 20}, {"\u010a", 21}};
  std::vector<std::pair<std::string, std::string>> merges = {
      {"h", "e"},   {"l", "l"},  {"he", "ll"},          {"hell", "o"},      {"\u0120", "w"},
      {"o", "r"},   {"\u0120w", "or"}, {"l", "d"}, {"\u00c3", "\u00a9"}};
  nlohmann::json mergeList = nlohmann::json::array();
  for (const auto &[left, right] : merges) {
    if (pairMerges)
      mergeList.push_back({left, right});
    else
      mergeList.push_back(left + " " + right);
  }
  return {
      {"version", "1.0"},
      {"added_tokens",
       {{{"id", 0}, {"content", "<|endoftext|>"}, {"special", true}},
        {{"id", 22}, {"content", "<|begin_of_text|>"}, {"special", true}}}},
      {"normalizer", nullptr},
      {"pre_tokenizer",
       {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", true},
        {"use_regex", true}}},
      {"post_processor",
       {{"type", "Sequence"},
        {"processors",
         {{{"type", "ByteLevel"}, {"add_prefix_space", true}, {"trim_offsets", false},
           {"use_regex", true}},
          {{"type", "TemplateProcessing"},
           {"single",
            {{{"SpecialToken", {{"id", "<|begin_of_text|>"}, {"type_id", 0}}}},
             {{"Sequence", {{"id", "A"}, {"type_id", 0}}}}}},
           {"pair", nlohmann::json::array()},
           {"special_tokens",
            {{"<|begin_of_text|>",
              {{"id", "<|begin_of_text|>"}, {"ids", {22}}, {"tokens", {"<|begin_of_text|>"}}}}}}}}}}},
      {"decoder",
       {{"type", "ByteLevel"}, {"add_prefix_space", true}, {"trim_offsets", true},
        {"use_regex", true}}},
      {"model",
       {{"type", "BPE"}, {"dropout", nullptr}, {"unk_token", nullptr},
        {"continuing_subword_prefix", nullptr}, {"end_of_word_suffix", nullptr},
        {"fuse_unk", false}, {"byte_fallback", false}, {"ignore_merges", false},
        {"vocab", vocab}, {"merges", mergeList}}}};
}

Tokenizer load(bool pairMerges) {
  auto tokenizer = Tokenizer::fromJson(byteLevelTokenizer(pairMerges).dump(), "gpt2.json");
  EXPECT_TRUE(tokenizer.isOk()) << tokenizer.status().toString();
  return std::move(*tokenizer);
}

TEST(ByteLevelTokenizerTest, EncodesByHandDerivedIds) {
  Tokenizer tokenizer = load(/*pairMerges=*/false);
  EXPECT_EQ(*tokenizer.encode("hello world!"), (std::vector<int32_t>{22, 13, 16, 17, 1}));
  EXPECT_EQ(*tokenizer.encode("hello world!", false), (std::vector<int32_t>{13, 16, 17, 1}));
}

TEST(ByteLevelTokenizerTest, PairMergesMatchStringMerges) {
  Tokenizer tokenizer = load(/*pairMerges=*/true);
  EXPECT_EQ(*tokenizer.encode("hello world!"), (std::vector<int32_t>{22, 13, 16, 17, 1}));
}

TEST(ByteLevelTokenizerTest, MultiByteCharactersAndNewlines) {
  Tokenizer tokenizer = load(false);
  // "é" is bytes C3 A9 → "Ã" "©" → merge #8 → 20; "\n" → "Ċ" = 21 (its own regex piece).
  EXPECT_EQ(*tokenizer.encode("é\n", false), (std::vector<int32_t>{20, 21}));
  // "hé": the regex keeps letters together ("hé"); h then Ã© (no merge joins them).
  EXPECT_EQ(*tokenizer.encode("hé", false), (std::vector<int32_t>{4, 20}));
}

TEST(ByteLevelTokenizerTest, SpecialTokensSplitTheInput) {
  Tokenizer tokenizer = load(false);
  EXPECT_EQ(*tokenizer.encode("hello<|endoftext|> world", false),
            (std::vector<int32_t>{13, 0, 16, 17}));
}

TEST(ByteLevelTokenizerTest, DecodesBytesBack) {
  Tokenizer tokenizer = load(false);
  std::vector<int32_t> ids = {22, 13, 16, 17, 1, 21, 20};
  EXPECT_EQ(*tokenizer.decode(ids, /*skipSpecialTokens=*/true), "hello world!\né");
  EXPECT_EQ(*tokenizer.decode(ids, false), "<|begin_of_text|>hello world!\né");
  // Half of é alone is invalid UTF-8 → U+FFFD.
  EXPECT_EQ(*tokenizer.decode(std::vector<int32_t>{13, 18}), "hello\xEF\xBF\xBD");
}

TEST(ByteLevelTokenizerTest, StreamHoldsBackHalfACharacter) {
  Tokenizer tokenizer = load(false);
  StreamDecoder stream(tokenizer);
  EXPECT_EQ(*stream.push(22), "");
  EXPECT_EQ(*stream.push(13), "hello");
  EXPECT_EQ(*stream.push(18), ""); // Ã = byte C3, the first half of é
  EXPECT_EQ(*stream.push(19), "é"); // © = byte A9 completes it
  EXPECT_EQ(*stream.push(16), " wor");
  EXPECT_EQ(stream.finish(), "");
}

TEST(ByteLevelTokenizerTest, CharacterOutsideTheVocabWithoutUnkIsAnError) {
  Tokenizer tokenizer = load(false);
  auto ids = tokenizer.encode("z");
  ASSERT_FALSE(ids.isOk());
  EXPECT_NE(ids.status().message().find("character 'z' is not in the vocabulary and the "
                                        "tokenizer has no unk_token"),
            std::string::npos)
      << ids.status().message();
}

} // namespace
} // namespace loom::frontend

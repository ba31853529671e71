// Pre-tokenizer splits, checked against Hugging Face tokenizers 0.23 on the same inputs.
#include "frontend/Readers/PreTokenizer.h"

#include <gtest/gtest.h>

namespace loom::frontend {
namespace {

using Pieces = std::vector<std::string>;

Pieces split(const nlohmann::json &config, std::string text, bool atInputStart = true) {
  auto preTokenizer = PreTokenizer::fromJson(config, "test.json");
  EXPECT_TRUE(preTokenizer.isOk()) << preTokenizer.status().toString();
  if (!preTokenizer.isOk())
    return {};
  auto pieces = preTokenizer->apply(std::move(text), atInputStart);
  EXPECT_TRUE(pieces.isOk()) << pieces.status().toString();
  return pieces.isOk() ? *pieces : Pieces{};
}

nlohmann::json splitOn(std::string_view pattern, std::string_view behavior,
                       bool invert = false) {
  return {{"type", "Split"},
          {"pattern", {{"String", pattern}}},
          {"behavior", behavior},
          {"invert", invert}};
}

TEST(PreTokenizerTest, Llama3Regex) {
  nlohmann::json config = {
      {"type", "Split"},
      {"pattern",
       {{"Regex", "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| "
                  "?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"}}},
      {"behavior", "Isolated"},
      {"invert", false}};
  EXPECT_EQ(split(config, "I'M 12345 héllo!!  \n\nbye  "),
            (Pieces{"I", "'M", " ", "123", "45", " héllo", "!!", "  \n\n", "bye", "  "}));
}

TEST(PreTokenizerTest, Gpt2ByteLevel) {
  nlohmann::json config = {{"type", "ByteLevel"}, {"add_prefix_space", false},
                           {"use_regex", true}};
  EXPECT_EQ(split(config, "Hi  there's 42 "),
            (Pieces{"Hi", "\u0120", "\u0120there", "'s", "\u012042", "\u0120"}));
  config["add_prefix_space"] = true;
  EXPECT_EQ(split(config, "Hi"), (Pieces{"\u0120Hi"}));
}

TEST(PreTokenizerTest, MetaspaceFirstScheme) {
  nlohmann::json config = {{"type", "Metaspace"}, {"replacement", "\u2581"},
                           {"prepend_scheme", "first"}, {"split", true}};
  EXPECT_EQ(split(config, "Hey  you friend"),
            (Pieces{"\u2581Hey", "\u2581", "\u2581you", "\u2581friend"}));
  // Not at the start of the input (after a special token): no ▁ is prepended.
  EXPECT_EQ(split(config, "Hey", /*atInputStart=*/false), (Pieces{"Hey"}));
}

TEST(PreTokenizerTest, DigitsInSequence) {
  nlohmann::json config = {
      {"type", "Sequence"},
      {"pretokenizers",
       {{{"type", "Digits"}, {"individual_digits", true}},
        {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"use_regex", false}}}}};
  EXPECT_EQ(split(config, "a123b c"), (Pieces{"a", "1", "2", "3", "b\u0120c"}));
}

TEST(PreTokenizerTest, SplitBehaviors) {
  EXPECT_EQ(split(splitOn("-", "Removed"), "a-b--c-"), (Pieces{"a", "b", "c"}));
  EXPECT_EQ(split(splitOn("-", "Isolated"), "a-b--c-"),
            (Pieces{"a", "-", "b", "-", "-", "c", "-"}));
  EXPECT_EQ(split(splitOn("-", "MergedWithPrevious"), "a-b--c-"),
            (Pieces{"a-", "b-", "-", "c-"}));
  EXPECT_EQ(split(splitOn("-", "MergedWithNext"), "a-b--c-"),
            (Pieces{"a", "-b", "-", "-c", "-"}));
  EXPECT_EQ(split(splitOn("-", "Contiguous"), "a-b--c-"),
            (Pieces{"a", "-", "b", "--", "c", "-"}));
  EXPECT_EQ(split(splitOn("-", "Removed", /*invert=*/true), "a-b--c-"),
            (Pieces{"-", "-", "-", "-"}));
}

TEST(PreTokenizerTest, BadConfigurations) {
  auto badRegex = PreTokenizer::fromJson(
      {{"type", "Split"}, {"pattern", {{"Regex", "(unclosed"}}}, {"behavior", "Isolated"}},
      "t.json");
  ASSERT_FALSE(badRegex.isOk());
  EXPECT_NE(badRegex.status().message().find("t.json: pre_tokenizer: cannot compile regex"),
            std::string::npos)
      << badRegex.status().message();
  auto badBehavior = PreTokenizer::fromJson(splitOn("-", "Sideways"), "t.json");
  ASSERT_FALSE(badBehavior.isOk());
  EXPECT_NE(badBehavior.status().message().find("unknown split behavior 'Sideways'"),
            std::string::npos);
}

} // namespace
} // namespace loom::frontend

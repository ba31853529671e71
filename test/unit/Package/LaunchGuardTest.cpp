// LaunchGuard: guards parse into comparisons of dim expressions (the words decode/prefill too),
// bad guards are errors naming the text, and each guard holds on exactly its steps.
#include "runtime/Package/LaunchGuard.h"

#include <gtest/gtest.h>

namespace loom::rt {
namespace {

LaunchGuard parsed(std::string_view text) {
  auto guard = LaunchGuard::parse(text);
  EXPECT_TRUE(guard.isOk()) << text << ": " << guard.status().toString();
  return guard.isOk() ? *guard : LaunchGuard::always();
}

TEST(LaunchGuardTest, ParsesWordsComparisonsAndConjunctions) {
  EXPECT_EQ(parsed("decode").text(), "decode");
  EXPECT_EQ(parsed("  tokens <= 16 ").text(), "tokens <= 16");
  EXPECT_EQ(parsed("prefill && tokens > 16").dimNames(), (std::vector<std::string>{"seqs", "tokens"}));
  EXPECT_EQ(parsed("ceildiv(tokens, 8) * 8 >= seqs + 1").dimNames(),
            (std::vector<std::string>{"seqs", "tokens"}));
  EXPECT_TRUE(LaunchGuard::always().isAlways());
  EXPECT_STREQ(launchGuardName(LaunchGuard::always()), "always");
  EXPECT_FALSE(parsed("decode").isAlways());
}

TEST(LaunchGuardTest, RejectsWhatIsNotAComparison) {
  struct Case {
    const char *text, *message;
  };
  const Case cases[] = {
      {"", "launch guard is empty"},
      {"always", "'always' is not a comparison"},
      {"Decode", "'Decode' is not a comparison"},
      {"tokens = 16", "'tokens = 16' is not a comparison"},
      {"tokens <= ", "launch guard 'tokens <=': dim expression ''"},
      {"tokens <= 16 &&", "'' is not a comparison"},
      {"tokens <=> 16", "launch guard 'tokens <=> 16': dim expression '> 16'"},
      {"tokens < (seqs", "launch guard 'tokens < (seqs': dim expression '(seqs'"},
  };
  for (const Case &c : cases) {
    auto guard = LaunchGuard::parse(c.text);
    ASSERT_FALSE(guard.isOk()) << "'" << c.text << "'";
    EXPECT_EQ(guard.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(guard.status().message().find(c.message), std::string::npos)
        << "'" << c.text << "': " << guard.status().message();
  }
}

TEST(LaunchGuardTest, EachGuardHoldsOnItsSteps) {
  struct Step {
    DimValues dims;
    bool decode, fewRows;
  };
  const Step steps[] = {
      {{{"tokens", 1}, {"seqs", 1}, {"blocks_per_seq", 8}}, true, true},
      {{{"tokens", 16}, {"seqs", 16}}, true, true},    // a padded decode bucket
      {{{"tokens", 32}, {"seqs", 32}}, true, false},   // a large decode bucket
      {{{"tokens", 143}, {"seqs", 3}}, false, false},  // ragged prefill
      {{{"tokens", 5}, {"seqs", 4}}, false, true},     // mixed prefill + decode
  };
  LaunchGuard decode = parsed("decode"), prefill = parsed("prefill");
  LaunchGuard few = parsed("tokens <= 16"), many = parsed("tokens > 16");
  LaunchGuard fewDecode = parsed("decode && tokens <= 16");
  for (const Step &step : steps) {
    std::string what = std::to_string(step.dims.at("tokens")) + " tokens";
    EXPECT_EQ(isDecodeStep(step.dims), step.decode) << what;
    EXPECT_EQ(decode.holds(step.dims), step.decode) << what;
    EXPECT_EQ(prefill.holds(step.dims), !step.decode) << what;
    EXPECT_EQ(few.holds(step.dims), step.fewRows) << what;
    EXPECT_NE(few.holds(step.dims), many.holds(step.dims)) << what; // exactly one variant
    EXPECT_EQ(fewDecode.holds(step.dims), step.decode && step.fewRows) << what;
    EXPECT_TRUE(LaunchGuard::always().holds(step.dims));
  }
  // Every operator, at, below and above its bound.
  const std::pair<const char *, std::array<bool, 3>> operators[] = {
      {"tokens == 8", {false, true, false}}, {"tokens != 8", {true, false, true}},
      {"tokens < 8", {true, false, false}},  {"tokens <= 8", {true, true, false}},
      {"tokens > 8", {false, false, true}},  {"tokens >= 8", {false, true, true}}};
  for (auto [text, expected] : operators) {
    LaunchGuard guard = parsed(text);
    for (int i = 0; i < 3; ++i)
      EXPECT_EQ(guard.holds({{"tokens", 7 + i}}), expected[i]) << text << " at " << 7 + i;
  }
  // A step that lacks a dim the guard reads does not launch the entry.
  EXPECT_FALSE(decode.holds({{"tokens", 4}}));
  EXPECT_FALSE(prefill.holds({{"tokens", 4}}));
  EXPECT_FALSE(few.holds({{"seqs", 4}}));
}

} // namespace
} // namespace loom::rt

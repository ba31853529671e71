// loom-run tokenize --model FILE.gguf: the tokenizer comes from the GGUF metadata, as generate
// reads it (CPU).
#include "tools/loom-run/Commands.h"
#include "tools/loom-run/TinyLlamaGguf.h"

#include <gtest/gtest.h>


namespace loom::tools {
namespace {

struct TokenizeRun {
  int exitCode;
  std::string out, err;
};

TokenizeRun tokenize(std::vector<std::string_view> args) {
  ::testing::internal::CaptureStdout();
  ::testing::internal::CaptureStderr();
  int exitCode = runTokenize(args);
  std::string out = ::testing::internal::GetCapturedStdout();
  return {exitCode, out, ::testing::internal::GetCapturedStderr()};
}

class TokenizeGgufTest : public ::testing::Test {
protected:
  testing::TinyLlamaGgufFile file_{"loom-tokenize"};
  const std::string &path_ = file_.path();
};

TEST_F(TokenizeGgufTest, EncodesWithTheMetadataVocabulary) {
  // "ab" → "▁ab" after the space prefix: ▁+a merges first (score -4), then ▁a+b; BOS is id 1.
  TokenizeRun run = tokenize({"--model", path_, "ab"});
  EXPECT_EQ(run.exitCode, 0) << run.err;
  EXPECT_EQ(run.out, "[1, 8]\n");
  run = tokenize({"--model", path_, "--no-special", "ab b"});
  EXPECT_EQ(run.exitCode, 0) << run.err;
  EXPECT_EQ(run.out, "[8, 3, 5]\n");
}

TEST_F(TokenizeGgufTest, DecodesWithTheMetadataVocabulary) {
  TokenizeRun run = tokenize({"--model", path_, "--decode", "--no-special", "[1, 8, 3, 5]"});
  EXPECT_EQ(run.exitCode, 0) << run.err;
  EXPECT_EQ(run.out, "ab b\n");
}

TEST_F(TokenizeGgufTest, AMissingGgufIsAnErrorNamingIt) {
  TokenizeRun run = tokenize({"--model", "/nonexistent/model.gguf", "ab"});
  EXPECT_EQ(run.exitCode, 1);
  EXPECT_NE(run.err.find("/nonexistent/model.gguf"), std::string::npos) << run.err;
}

} // namespace
} // namespace loom::tools

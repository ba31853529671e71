// DimExpr: parsing, evaluation with dim values, and located errors.
#include "runtime/Package/DimExpr.h"

#include <gtest/gtest.h>

namespace loom::rt {
namespace {

int64_t eval(std::string_view text, const DimValues &dims = {}) {
  auto expr = DimExpr::parse(text);
  EXPECT_TRUE(expr.isOk()) << expr.status().toString();
  auto value = expr->evaluate(dims);
  EXPECT_TRUE(value.isOk()) << value.status().toString();
  return value.isOk() ? *value : -1;
}

TEST(DimExprTest, EvaluatesArithmeticWithPrecedence) {
  EXPECT_EQ(eval("7"), 7);
  EXPECT_EQ(eval("2 + 3 * 4"), 14);
  EXPECT_EQ(eval("(2 + 3) * 4"), 20);
  EXPECT_EQ(eval("10 - 4 - 3"), 3);
}

TEST(DimExprTest, EvaluatesFunctionsOfDims) {
  DimValues dims{{"tokens", 33}, {"seqs", 4}};
  EXPECT_EQ(eval("ceildiv(tokens, 16)", dims), 3);
  EXPECT_EQ(eval("ceildiv(tokens, 33)", dims), 1);
  EXPECT_EQ(eval("min(tokens, 8) * seqs", dims), 32);
  EXPECT_EQ(eval("max(seqs + 1, 2)", dims), 5);
  auto expr = DimExpr::parse("ceildiv(tokens, 128) * seqs + tokens");
  ASSERT_TRUE(expr.isOk());
  EXPECT_EQ(expr->dimNames(), (std::vector<std::string>{"seqs", "tokens"}));
}

TEST(DimExprTest, ReportsSyntaxErrorsWithPosition) {
  auto bad = DimExpr::parse("ceildiv(tokens 16)");
  ASSERT_FALSE(bad.isOk());
  EXPECT_NE(bad.status().message().find("takes two arguments at position 15"), std::string::npos)
      << bad.status().message();
  EXPECT_FALSE(DimExpr::parse("tokens +").isOk());
  EXPECT_FALSE(DimExpr::parse("(tokens").isOk());
  EXPECT_FALSE(DimExpr::parse("tokens 3").isOk());
  EXPECT_FALSE(DimExpr::parse("99999999999999999999").isOk());
}

TEST(DimExprTest, ReportsUnknownDimsAndDivisionByZero) {
  auto expr = DimExpr::parse("ceildiv(tokens, seqs)");
  ASSERT_TRUE(expr.isOk());
  auto missing = expr->evaluate({{"tokens", 4}});
  ASSERT_FALSE(missing.isOk());
  EXPECT_NE(missing.status().message().find("no value for dim 'seqs'"), std::string::npos);
  auto zero = expr->evaluate({{"tokens", 4}, {"seqs", 0}});
  ASSERT_FALSE(zero.isOk());
  EXPECT_NE(zero.status().message().find("ceildiv by 0"), std::string::npos);
}

} // namespace
} // namespace loom::rt

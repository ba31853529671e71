// A call's dims from its inputs' shapes: bound checks and the errors a caller sees (no GPU).
#include "frontend/Jit/Jit.h"
#include "test/unit/Jit/JitGraphs.h"

#include <gtest/gtest.h>

namespace loom {
namespace {

/// The add+norm graph (inputs h and residual, [tokens ≤ 8192, 1000]) jitted for sm_90a.
class CallShapesTest : public testing::AddNormJitTest<1000, 8192> {
protected:
  /// The error message of a call with these shapes (fails the test when the call succeeds).
  std::string errorFor(const InputShapes &shapes) {
    auto dims = module_->callDims(shapes);
    EXPECT_FALSE(dims.isOk());
    if (dims.isOk())
      return "";
    EXPECT_EQ(dims.status().code(), StatusCode::kInvalidArgument);
    return dims.status().message();
  }
};

TEST_F(CallShapesTest, DimsComeFromTheInputs) {
  for (int64_t tokens : {0, 1, 37, 8192}) {
    auto dims = module_->callDims({{"h", {tokens, 1000}}, {"residual", {tokens, 1000}}});
    ASSERT_TRUE(dims.isOk()) << dims.status().toString();
    EXPECT_EQ(*dims, (rt::DimValues{{"tokens", tokens}}));
  }
}

TEST_F(CallShapesTest, ADimAboveItsBoundIsRefused) {
  std::string message = errorFor({{"h", {8193, 1000}}, {"residual", {8193, 1000}}});
  EXPECT_NE(message.find("dim 'tokens' = 8193"), std::string::npos) << message;
  EXPECT_NE(message.find("exceeds its declared bound 8192"), std::string::npos) << message;
  EXPECT_NE(message.find("input 'h' dimension 0"), std::string::npos) << message;
}

TEST_F(CallShapesTest, AnUnknownInputIsNamedWithTheGraphsInputs) {
  std::string message =
      errorFor({{"h", {4, 1000}}, {"residual", {4, 1000}}, {"hidden", {4, 1000}}});
  EXPECT_NE(message.find("no input 'hidden'"), std::string::npos) << message;
  EXPECT_NE(message.find("h, residual"), std::string::npos) << message;
}

TEST_F(CallShapesTest, AMissingInputIsNamed) {
  std::string message = errorFor({{"h", {4, 1000}}});
  EXPECT_NE(message.find("input 'residual' [tokens, 1000] is missing"), std::string::npos)
      << message;
}

TEST_F(CallShapesTest, InputsMustAgreeOnADim) {
  std::string message = errorFor({{"h", {4, 1000}}, {"residual", {5, 1000}}});
  EXPECT_NE(message.find("dim 'tokens' is 4 in input 'h' dimension 0 but 5 in input "
                         "'residual' dimension 0"),
            std::string::npos)
      << message;
}

TEST_F(CallShapesTest, StaticExtentsAndRanksAreChecked) {
  std::string wrongWidth = errorFor({{"h", {4, 999}}, {"residual", {4, 1000}}});
  EXPECT_NE(wrongWidth.find("dimension 1 (1000) must be 1000"), std::string::npos) << wrongWidth;
  std::string wrongRank = errorFor({{"h", {4, 10, 100}}, {"residual", {4, 1000}}});
  EXPECT_NE(wrongRank.find("input 'h' has rank 3"), std::string::npos) << wrongRank;
  std::string negative = errorFor({{"h", {-1, 1000}}, {"residual", {-1, 1000}}});
  EXPECT_NE(negative.find("negative extent"), std::string::npos) << negative;
}

TEST(ResolveCallDimsTest, ExpressionExtentsAreEvaluated) {
  verify::GraphSignature signature;
  signature.arguments.push_back({"ids", 0, ref::ElementType::kI32, {"tokens"}, std::nullopt});
  signature.arguments.push_back({"starts", 1, ref::ElementType::kI32, {"seqs+1"}, std::nullopt});
  signature.arguments.push_back({"lens", 2, ref::ElementType::kI32, {"seqs"}, std::nullopt});
  rt::DimValues bounds{{"tokens", 64}, {"seqs", 8}};
  StatusOr<CallSignature> parsed = CallSignature::parse(signature);
  ASSERT_TRUE(parsed.isOk()) << parsed.status().toString();
  ASSERT_EQ(parsed->inputs.size(), 3u);
  EXPECT_EQ(parsed->inputs[0].namedDims, (std::vector<std::optional<std::string>>{"tokens"}));
  EXPECT_EQ(parsed->inputs[1].namedDims, (std::vector<std::optional<std::string>>{std::nullopt}));
  auto dims = resolveCallDims(*parsed, bounds, {{"ids", {9}}, {"starts", {4}}, {"lens", {3}}});
  ASSERT_TRUE(dims.isOk()) << dims.status().toString();
  EXPECT_EQ(*dims, (rt::DimValues{{"seqs", 3}, {"tokens", 9}}));
  auto wrong = resolveCallDims(*parsed, bounds, {{"ids", {9}}, {"starts", {3}}, {"lens", {3}}});
  ASSERT_FALSE(wrong.isOk());
  EXPECT_NE(wrong.status().message().find("dimension 0 (seqs+1) must be 4"), std::string::npos)
      << wrong.status().message();
  auto unbound = resolveCallDims(*parsed, {{"tokens", 64}, {"seqs", 8}, {"blocks", 16}},
                                 {{"ids", {9}}, {"starts", {4}}, {"lens", {3}}});
  ASSERT_FALSE(unbound.isOk());
  EXPECT_NE(unbound.status().message().find("dim 'blocks'"), std::string::npos);
}

TEST(ResolveCallDimsTest, AnExtentThatDoesNotParseNamesItsInput) {
  verify::GraphSignature signature;
  signature.arguments.push_back({"ids", 0, ref::ElementType::kI32, {"tokens+"}, std::nullopt});
  StatusOr<CallSignature> parsed = CallSignature::parse(signature);
  ASSERT_FALSE(parsed.isOk());
  EXPECT_NE(parsed.status().message().find("input 'ids'"), std::string::npos)
      << parsed.status().message();
}

} // namespace
} // namespace loom

// LaunchGuard: guard names parse, and each guard launches on exactly its kind of step.
#include "runtime/Package/LaunchGuard.h"

#include <gtest/gtest.h>

namespace loom::rt {
namespace {

TEST(LaunchGuardTest, ParsesDecodeAndPrefillOnly) {
  EXPECT_EQ(*parseLaunchGuard("decode"), LaunchGuard::kDecode);
  EXPECT_EQ(*parseLaunchGuard("prefill"), LaunchGuard::kPrefill);
  for (const char *bad : {"always", "Decode", "", "decode "})
    EXPECT_FALSE(parseLaunchGuard(bad).has_value()) << "'" << bad << "'";
  EXPECT_STREQ(launchGuardName(LaunchGuard::kDecode), "decode");
  EXPECT_STREQ(launchGuardName(LaunchGuard::kAlways), "always");
}

TEST(LaunchGuardTest, DecodeStepsAreOneTokenPerSequence) {
  struct Step {
    DimValues dims;
    bool decode;
  };
  const Step steps[] = {
      {{{"tokens", 1}, {"seqs", 1}, {"blocks_per_seq", 8}}, true},
      {{{"tokens", 16}, {"seqs", 16}}, true},            // a padded decode bucket
      {{{"tokens", 143}, {"seqs", 3}}, false},           // ragged prefill
      {{{"tokens", 5}, {"seqs", 4}}, false},             // mixed prefill + decode
      {{{"tokens", 4}}, false},                          // no sequence count: never decode
      {{{"seqs", 4}}, false},
  };
  for (const Step &step : steps) {
    EXPECT_EQ(isDecodeStep(step.dims), step.decode) << step.dims.size();
    EXPECT_EQ(launchesOn(LaunchGuard::kDecode, step.dims), step.decode);
    EXPECT_EQ(launchesOn(LaunchGuard::kPrefill, step.dims), !step.decode);
    EXPECT_TRUE(launchesOn(LaunchGuard::kAlways, step.dims));
  }
}

} // namespace
} // namespace loom::rt

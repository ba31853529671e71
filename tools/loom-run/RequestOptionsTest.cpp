// RequestOptions: LOOM_TIMELINE=1 in loom-run's environment, and only that value, asks for an instrumented model (CPU).
#include "tools/loom-run/RequestOptions.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace loom::tools {
namespace {

TEST(RequestOptionsTest, OnlyTimelineVariableOneInstrumentsTheModel) {
  const std::pair<const char *, bool> cases[] = {
      {nullptr, false}, {"1", true}, {"0", false}, {"", false}, {"yes", false}, {"10", false}};
  for (auto [value, instrumented] : cases) {
    if (value)
      ::setenv("LOOM_TIMELINE", value, 1);
    else
      ::unsetenv("LOOM_TIMELINE");
    EXPECT_EQ(timelineRequestedByEnvironment(), instrumented) << (value ? value : "unset");
  }
  ::unsetenv("LOOM_TIMELINE");
}

} // namespace
} // namespace loom::tools

// RequestOptions: LOOM_TIMELINE in loom-run's environment decides ModelRequest::instrumentTimeline (CPU).
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
    ServingOptions options;
    bool ignoreEos = false;
    std::vector<OptionSpec> specs = servingOptionSpecs(options, ignoreEos);
    const std::string_view arguments[] = {"--model", "m", "--backend", "gpu"};
    ASSERT_FALSE(parseOptions(arguments, specs).has_value());
    EXPECT_EQ(timelineRequestedByEnvironment(), instrumented) << (value ? value : "unset");
    EXPECT_EQ(options.model.instrumentTimeline, instrumented) << (value ? value : "unset");
    EXPECT_EQ(options.model.backend, "gpu");
  }
  ::unsetenv("LOOM_TIMELINE");
}

} // namespace
} // namespace loom::tools

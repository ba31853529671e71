// HostGap on synthetic steps: which steps are grouped, and the percentiles of each row (CPU).
#include "tools/loom-run/HostGap.h"

#include <gtest/gtest.h>

namespace loom::tools {
namespace {

/// A decode-graph step of `sampled` sequences: wall 1000 + i, forward 900, idle 10 + i.
StepSample decodeStep(int sampled, int i) {
  StepSample s;
  s.sampled = sampled;
  s.decodeGraph = true;
  s.wallMicros = 1000 + i;
  s.engine = {2, 980, 3, 1};
  s.runner.hostMicros = {4, 5, 6, 7, 950};
  s.runner.gpuUploadMicros = 8;
  s.runner.gpuForwardMicros = 900;
  s.runner.gpuSampleMicros = 20;
  s.runner.gpuIdleBeforeMicros = 10 + i;
  return s;
}

Spread rowOf(const HostGapGroup &group, const std::string &name) {
  for (const auto &[rowName, spread] : group.rows)
    if (rowName == name)
      return spread;
  ADD_FAILURE() << "no row " << name;
  return {};
}

TEST(HostGapTest, GroupsDecodeGraphStepsByBatchSize) {
  std::vector<StepSample> samples;
  StepSample first = decodeStep(1, 0);
  first.runner.gpuIdleBeforeMicros.reset(); // the first timed step: left out
  first.wallMicros = 5000;
  samples.push_back(first);
  for (int i = 0; i < 11; ++i)
    samples.push_back(decodeStep(1, i));
  StepSample prefill = decodeStep(1, 500); // an eager step: left out
  prefill.decodeGraph = false;
  samples.push_back(prefill);
  for (int i = 0; i < 3; ++i) // too few steps of 4 sequences
    samples.push_back(decodeStep(4, i));

  std::vector<HostGapGroup> groups = summarizeHostGap(samples, 8);
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ(groups[0].sampled, 1);
  EXPECT_EQ(groups[0].steps, 11);
  Spread wall = rowOf(groups[0], "wall (step start to next)");
  EXPECT_DOUBLE_EQ(wall.median, 1005);
  EXPECT_DOUBLE_EQ(wall.p10, 1001);
  EXPECT_DOUBLE_EQ(wall.p90, 1009);
  EXPECT_DOUBLE_EQ(rowOf(groups[0], "GPU idle before step").median, 15);
  EXPECT_DOUBLE_EQ(rowOf(groups[0], "overhead (wall - forward)").median, 105);
  // wall − (2 + 980 + 3 + 1) of the engine's parts; run − the runner's host phases (972).
  EXPECT_DOUBLE_EQ(rowOf(groups[0], "bench loop outside step").median, 19);
  EXPECT_DOUBLE_EQ(rowOf(groups[0], "runner other").median, 8);
  EXPECT_DOUBLE_EQ(rowOf(groups[0], "runner wait").median, 950);

  std::string table = hostGapTable(groups);
  EXPECT_NE(table.find("decode graph steps of 1 sequences (11 steps)"), std::string::npos);
  nlohmann::json json = hostGapJson(groups);
  EXPECT_EQ(json[0]["steps"], 11);
  EXPECT_DOUBLE_EQ(json[0]["micros"]["GPU forward"]["median"].get<double>(), 900);
}

TEST(HostGapTest, NoGroupWithoutDecodeGraphSteps) {
  StepSample eager = decodeStep(2, 0);
  eager.decodeGraph = false;
  EXPECT_TRUE(summarizeHostGap({eager, eager}, 1).empty());
  EXPECT_EQ(hostGapTable({}), "");
}

} // namespace
} // namespace loom::tools

// TimelineReport: launches named after the program in order, kinds by name and position, gaps
// and exclusive times that add up to the span, and a trace that carries every CTA.
#include "tools/loom-run/TimelineReport.h"

#include <gtest/gtest.h>

namespace loom::tools {
namespace {

/// A complete launch of `kernel` with `grid` CTAs, all entering at `start`, waiting at `wait`
/// and leaving at `end` (ns).
rt::TimelineLaunch launch(uint32_t kernel, uint32_t grid, uint64_t start, uint64_t wait,
                          uint64_t end) {
  std::vector<rt::TimelineRecord> ctas;
  for (uint32_t block = 0; block < grid; ++block)
    ctas.push_back({kernel, block, block, grid, start, wait, end});
  return rt::groupTimelineLaunches(ctas).front();
}

std::vector<TimelineProgramLaunch> layer() {
  return {{0, "fused_rms_norm_linear_gemv_0", 12'000'000},
          {1, "paged_attention_decode_1", 0},
          {2, "fused_linear_add_gemv_2", 8'000'000},
          {3, "fused_rms_norm_linear_split_silu_mul_gemv_3", 0},
          {2, "fused_linear_add_gemv_4", 0},
          {5, "fused_linear_cast_gemv_5", 0}};
}

std::vector<rt::TimelineLaunch> layerLaunches() {
  // us after 1'000'000 ns: qkv 0-10, attention 9-15 (overlapped 1), o_proj 17-20 (idle gap 2),
  // gate_up 20-40, down 40-50, lm_head 50-60.
  return {
      launch(0, 4, 1'000'000, 1'001'000, 1'010'000), launch(1, 2, 1'009'000, 1'010'000, 1'015'000),
      launch(2, 3, 1'017'000, 1'017'500, 1'020'000), launch(3, 8, 1'020'000, 1'020'000, 1'040'000),
      launch(2, 3, 1'040'000, 1'040'000, 1'050'000), launch(5, 2, 1'050'000, 1'050'000, 1'060'000)};
}

TEST(TimelineReportTest, NamesLaunchesAfterTheProgramWithTheirKinds) {
  TimelineReport report = buildTimelineReport(layerLaunches(), layer(), 0);
  ASSERT_EQ(report.rows.size(), 6u);
  EXPECT_TRUE(report.matchesProgram);
  std::vector<std::string> kinds, names;
  for (const TimelineRow &row : report.rows) {
    kinds.push_back(row.kind);
    names.push_back(row.kernel);
  }
  EXPECT_EQ(kinds,
            (std::vector<std::string>{"qkv", "attention", "o_proj", "gate_up", "down", "lm_head"}));
  EXPECT_EQ(names[4], "fused_linear_add_gemv_4");
  EXPECT_EQ(report.rows[0].bytes, 12'000'000u);
  EXPECT_DOUBLE_EQ(report.span, 60.0);
  EXPECT_DOUBLE_EQ(report.rows[1].gap, -1.0);
  EXPECT_DOUBLE_EQ(report.rows[1].exclusive, 5.0);
  EXPECT_DOUBLE_EQ(report.rows[2].gap, 2.0);
  EXPECT_DOUBLE_EQ(report.rows[2].firstWait, 17.5);
  EXPECT_EQ(report.rows[3].sms, 8);
  double covered = 0;
  for (const TimelineRow &row : report.rows)
    covered += row.exclusive + std::max(0.0, row.gap);
  EXPECT_DOUBLE_EQ(covered, report.span);
}

TEST(TimelineReportTest, AMissingOrUnknownLaunchDoesNotMatchTheProgram) {
  std::vector<rt::TimelineLaunch> launches = layerLaunches();
  launches.erase(launches.begin() + 1);
  TimelineReport missing = buildTimelineReport(launches, layer(), 0);
  EXPECT_FALSE(missing.matchesProgram);
  EXPECT_EQ(missing.rows[1].kernel, "fused_linear_add_gemv_2");
  launches = layerLaunches();
  launches[5].kernel = 9;
  TimelineReport unknown = buildTimelineReport(launches, layer(), 0);
  EXPECT_FALSE(unknown.matchesProgram);
  EXPECT_EQ(unknown.rows[5].kernel, "kernel id 9");
  EXPECT_FALSE(buildTimelineReport(layerLaunches(), layer(), 1).matchesProgram);
}

// A launch past its wait before the launch before it ended breaks the stream's order; entering
// early (programmatic dependent launch) does not.
TEST(TimelineReportTest, AWaitBeforeThePreviousEndIsOutOfStreamOrder) {
  std::vector<rt::TimelineLaunch> launches = layerLaunches();
  EXPECT_TRUE(
      buildTimelineReport(launches, layer(), 0).streamOrdered); // attention enters at 9 < 10
  launches[1] = launch(1, 2, 1'009'000, 1'009'500, 1'015'000);  // and is past its wait at 9.5
  TimelineReport report = buildTimelineReport(launches, layer(), 0);
  EXPECT_FALSE(report.streamOrdered);
  EXPECT_NE(timelineTable(report, 0).find("NOT in stream order"), std::string::npos);
}

TEST(TimelineReportTest, TableAndTraceCarryEveryLaunchAndCta) {
  TimelineReport report = buildTimelineReport(layerLaunches(), layer(), 0);
  std::string table = timelineTable(report, 3e12);
  EXPECT_NE(table.find("every launch complete and in program order, in stream order"),
            std::string::npos);
  // 12 MB in 10 us = 1.2 TB/s = 40.0% of 3 TB/s.
  EXPECT_NE(table.find("fused_rms_norm_linear_gemv_0"), std::string::npos);
  EXPECT_NE(table.find("   40.0\n"), std::string::npos) << table;
  nlohmann::json trace = timelineTrace(report);
  ASSERT_EQ(trace["launches"].size(), 6u);
  EXPECT_EQ(trace["launches"][3]["ctas"].size(), 8u);
  EXPECT_EQ(trace["launches"][2]["kind"], "o_proj");
  size_t ctaEvents = 0;
  for (const nlohmann::json &event : trace["traceEvents"])
    ctaEvents += event.value("pid", -1) == 1 && event["ph"] == "X";
  EXPECT_EQ(ctaEvents, 4u + 2 + 3 + 8 + 3 + 2);
  EXPECT_EQ(timelineKind("argmax_7", "lm_head"), "other");
}

} // namespace
} // namespace loom::tools

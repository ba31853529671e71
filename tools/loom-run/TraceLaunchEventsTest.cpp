// TraceLaunchEvents: an eager step's kernels, a bucket's capturing step and its replays become
// GPU-track events with the right names, categories, times and arguments (CPU).
#include "tools/loom-run/TraceLaunchEvents.h"

#include <gtest/gtest.h>

namespace loom::tools {
namespace {

rt::Manifest twoKernelManifest() {
  rt::Manifest manifest;
  manifest.kernels.resize(2);
  manifest.kernels[0].name = "embedding_0";
  manifest.kernels[1].name = "fused_rms_norm_linear_1";
  return manifest;
}

rt::TimedLaunch kernelLaunch(size_t kernelIndex, double startUs, double us) {
  rt::TimedLaunch launch;
  launch.kernelIndex = kernelIndex;
  launch.startMicroseconds = startUs;
  launch.microseconds = us;
  return launch;
}

rt::TimedLaunch graphLaunch(int bucket, double startUs, double us) {
  rt::TimedLaunch launch = kernelLaunch(0, startUs, us);
  launch.graphBucket = bucket;
  return launch;
}

std::vector<nlohmann::json> events(const TraceRecorder &recorder) {
  nlohmann::json all = recorder.json()["traceEvents"];
  std::vector<nlohmann::json> complete;
  for (const nlohmann::json &event : all)
    if (event["ph"] == "X")
      complete.push_back(event);
  return complete;
}

TEST(TraceLaunchEvents, EagerKernelsTakeTheirManifestNames) {
  TraceRecorder recorder(10.0);
  StepLaunches step{1, 10.5, {{"tokens", 5}}, 5, false,
                    {kernelLaunch(0, 2.0, 3.0), kernelLaunch(1, 6.0, 40.0)}};
  recordStepLaunches(recorder, step, twoKernelManifest(), nullptr);
  auto list = events(recorder);
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0]["name"], "embedding_0");
  EXPECT_EQ(list[1]["name"], "fused_rms_norm_linear_1");
  for (const nlohmann::json &event : list) {
    EXPECT_EQ(event["cat"], "kernel");
    EXPECT_EQ(event["pid"], kGpuTrack.pid);
    EXPECT_EQ(event["args"]["step"], 1);
  }
  // The step's origin is 0.5 s after the recorder's; the launch starts 6 us after it.
  EXPECT_NEAR(list[1]["ts"].get<double>(), 500000.0 + 6.0, 1e-6);
  EXPECT_NEAR(list[1]["dur"].get<double>(), 40.0, 1e-9);
}

// A bucket's first decode step runs the program eagerly and captures its graph (no replay);
// the later steps of that bucket replay it.
TEST(TraceLaunchEvents, TheCapturingStepIsNotLabelledAReplay) {
  TraceRecorder recorder(0.0);
  rt::Manifest manifest = twoKernelManifest();
  recordStepLaunches(recorder, {2, 1.0, {}, 3, true, {graphLaunch(4, 1.0, 900.0)}}, manifest,
                     nullptr);
  recordStepLaunches(recorder, {3, 2.0, {}, 4, false, {graphLaunch(4, 1.0, 60.0)}}, manifest,
                     nullptr);
  recordStepLaunches(recorder, {4, 3.0, {}, 5, false, {graphLaunch(4, 1.0, 58.0)}}, manifest,
                     nullptr);
  auto list = events(recorder);
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list[0]["name"], "eager run + graph capture (bucket 4)");
  EXPECT_EQ(list[0]["args"]["captured"], true);
  EXPECT_EQ(list[1]["name"], "graph replay (bucket 4)");
  EXPECT_EQ(list[1]["args"]["captured"], false);
  EXPECT_EQ(list[2]["name"], "graph replay (bucket 4)");
  for (const nlohmann::json &event : list) {
    EXPECT_EQ(event["cat"], "graph");
    EXPECT_EQ(event["args"]["bucket"], 4);
  }
  EXPECT_EQ(list[0]["args"]["step"], 2);
  EXPECT_NEAR(list[0]["dur"].get<double>(), 900.0, 1e-9);
}

} // namespace
} // namespace loom::tools

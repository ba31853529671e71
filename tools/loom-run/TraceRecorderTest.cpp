// TraceRecorder: events in the Trace Event Format — microseconds from the origin, metadata names,
// and a file that parses back to the same JSON (CPU).
#include "tools/loom-run/TraceRecorder.h"

#include "runtime/Support/Files.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace loom::tools {
namespace {

TEST(TraceRecorder, CompleteEventsCountMicrosecondsFromTheOrigin) {
  TraceRecorder recorder(100.0);
  recorder.complete(kGpuTrack, "rms_norm_0", "kernel", 100.25, 0.5e-6, {{"step", 3}});
  nlohmann::json json = recorder.json();
  ASSERT_EQ(json["traceEvents"].size(), 1u);
  const nlohmann::json &event = json["traceEvents"][0];
  EXPECT_EQ(event["ph"], "X");
  EXPECT_EQ(event["name"], "rms_norm_0");
  EXPECT_EQ(event["cat"], "kernel");
  EXPECT_EQ(event["pid"], kGpuTrack.pid);
  EXPECT_EQ(event["tid"], kGpuTrack.tid);
  EXPECT_DOUBLE_EQ(event["ts"].get<double>(), 250000.0);
  EXPECT_NEAR(event["dur"].get<double>(), 0.5, 1e-9);
  EXPECT_EQ(event["args"]["step"], 3);
}

TEST(TraceRecorder, NegativeDurationsBecomeZero) {
  TraceRecorder recorder(0.0);
  recorder.complete(kEngineTrack, "step 1", "step", 2.0, -1e-6);
  EXPECT_EQ(recorder.json()["traceEvents"][0]["dur"].get<double>(), 0.0);
}

TEST(TraceRecorder, MetadataNamesComeFirst) {
  TraceRecorder recorder(0.0);
  recorder.instant({kRequestsPid, 8}, "first token", "request", 0.001);
  recorder.nameProcess(kRequestsPid, "requests");
  recorder.nameTrack({kRequestsPid, 8}, "request 7");
  nlohmann::json events = recorder.json()["traceEvents"];
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0]["ph"], "M");
  EXPECT_EQ(events[0]["name"], "process_name");
  EXPECT_EQ(events[0]["args"]["name"], "requests");
  EXPECT_EQ(events[1]["name"], "thread_name");
  EXPECT_EQ(events[1]["tid"], 8);
  EXPECT_EQ(events[1]["args"]["name"], "request 7");
  EXPECT_EQ(events[2]["ph"], "i");
  EXPECT_EQ(events[2]["s"], "t");
  EXPECT_DOUBLE_EQ(events[2]["ts"].get<double>(), 1000.0);
  EXPECT_EQ(recorder.numEvents(), 1u);
}

TEST(TraceRecorder, WritesJsonThatParsesBack) {
  TraceRecorder recorder(10.0);
  recorder.nameTrack(kEngineTrack, "engine");
  recorder.complete(kEngineTrack, "forward", "forward", 10.5, 0.001, {{"sampled", 2}});
  std::string path =
      (std::filesystem::temp_directory_path() / "loom-trace-recorder-test.json").string();
  ASSERT_TRUE(recorder.write(path).isOk());
  auto text = readFile(path);
  std::filesystem::remove(path);
  ASSERT_TRUE(text.isOk());
  EXPECT_EQ(nlohmann::json::parse(*text), recorder.json());
}

TEST(TraceRecorder, AnUnwritablePathIsAnError) {
  TraceRecorder recorder(0.0);
  Status status = recorder.write("/dev/null/trace.json");
  EXPECT_FALSE(status.isOk());
  EXPECT_NE(status.message().find("writing the trace"), std::string::npos);
}

} // namespace
} // namespace loom::tools

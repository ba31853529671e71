// TimelineCapture: choosing the step, reading the buffer, naming the launches.
#include "tools/loom-run/TimelineCapture.h"

#include "runtime/Support/Files.h"

#include <fmt/format.h>

namespace loom::tools {

StatusOr<std::unique_ptr<TimelineCapture>> TimelineCapture::create(const GpuModelParts &gpu,
                                                                   TimelineCaptureOptions options) {
  if (!gpu.executor || !gpu.executor->timeline())
    return LOOM_ERROR(
        StatusCode::kInvalidArgument,
        "--timeline needs the model's kernels instrumented: load it with "
        "ModelRequest::instrumentTimeline");
  return std::unique_ptr<TimelineCapture>(new TimelineCapture(gpu, std::move(options)));
}

Status TimelineCapture::beforeStep(const rt::Engine &engine) {
  armed_ = !report_ && engine.stats().generatedTokens >= options_.afterTokens;
  graphStepsBefore_ = gpu_.runner->stats().graphSteps;
  if (armed_)
    LOOM_RETURN_IF_ERROR(gpu_.executor->timeline()->reset(*gpu_.stream));
  return Status::ok();
}

Status TimelineCapture::afterStep(const rt::Engine &engine) {
  if (!armed_ || gpu_.runner->stats().graphSteps != graphStepsBefore_ + 1)
    return Status::ok(); // not armed, or an eager step: try the next one
  LOOM_ASSIGN_OR_RETURN(rt::TimelineSnapshot snapshot,
                        gpu_.executor->timeline()->read(*gpu_.stream));
  LOOM_ASSIGN_OR_RETURN(std::vector<TimelineProgramLaunch> launches,
                        program(engine.stats().generatedTokens));
  report_ = buildTimelineReport(rt::groupTimelineLaunches(std::move(snapshot.records)), launches,
                                snapshot.dropped);
  return Status::ok();
}

StatusOr<std::vector<TimelineProgramLaunch>> TimelineCapture::program(int64_t generated) const {
  const rt::Manifest &manifest = gpu_.executor->manifest();
  int64_t blocksPerSeq =
      (options_.inputLen + options_.outputLen + options_.blockSize - 1) / options_.blockSize;
  rt::DimValues dims{
      {"tokens", options_.batch}, {"seqs", options_.batch}, {"blocks_per_seq", blocksPerSeq}};
  int64_t context = options_.batch * static_cast<int64_t>(options_.inputLen) + generated;
  std::vector<TimelineProgramLaunch> launches;
  for (size_t kernel : manifest.launches(dims)) {
    TimelineProgramLaunch launch{gpu_.executor->timelineIds().at(kernel),
                                 manifest.kernels[kernel].name, 0};
    StatusOr<LaunchBytes> bytes = gpu_.traffic ? gpu_.traffic->launchBytes(kernel, dims, context)
                                               : StatusOr<LaunchBytes>(LaunchBytes{});
    if (bytes.isOk()) // unknown bytes leave the launch's %copy out
      launch.bytes = bytes->weights + bytes->kv + bytes->activations;
    launches.push_back(std::move(launch));
  }
  return launches;
}

StatusOr<std::string> TimelineCapture::finish(double copyBytesPerSecond) const {
  if (!report_)
    return fmt::format(
        "\nGPU timeline: no graph-replayed decode step after {} tokens; nothing written to {}\n",
        options_.afterTokens, options_.path);
  LOOM_RETURN_IF_ERROR(writeFileAtomic(options_.path, timelineTrace(*report_).dump()));
  return timelineTable(*report_, copyBytesPerSecond) +
         fmt::format("(Chrome trace: {})\n", options_.path);
}

} // namespace loom::tools

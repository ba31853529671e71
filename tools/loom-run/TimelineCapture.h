// TimelineCapture: bench --timeline FILE — the GPU timeline of one graph-replayed decode step in
// the middle of the run, written as a Chrome trace and summarized as a table.
#pragma once

#include "runtime/Engine/Engine.h"
#include "tools/loom-run/GpuModelParts.h"
#include "tools/loom-run/TimelineReport.h"

#include <memory>
#include <optional>

namespace loom::tools {

/// The step to record and how to name its bytes.
struct TimelineCaptureOptions {
  std::string path;        ///< the Chrome trace JSON
  int64_t afterTokens = 0; ///< record the first graph-replayed step once this many were made
  int batch = 1;           ///< sequences per decode step (for the program and its bytes)
  int inputLen = 0, outputLen = 0, blockSize = 16;
};

class TimelineCapture {
public:
  /// kInvalidArgument when the model was not loaded instrumented (ModelRequest::instrumentTimeline).
  static StatusOr<std::unique_ptr<TimelineCapture>> create(const GpuModelParts &gpu,
                                                           TimelineCaptureOptions options);

  /// Around every engine step: empties the buffer before the chosen step, reads it after (when
  /// that step was not a graph replay, the next one is taken).
  Status beforeStep(const rt::Engine &engine);
  Status afterStep(const rt::Engine &engine);
  /// Writes the trace; the table, or a line saying no step was recorded.
  StatusOr<std::string> finish(double copyBytesPerSecond) const;

private:
  TimelineCapture(const GpuModelParts &gpu, TimelineCaptureOptions options)
      : gpu_(gpu), options_(std::move(options)) {}
  StatusOr<std::vector<TimelineProgramLaunch>> program(int64_t generated) const;

  GpuModelParts gpu_;
  TimelineCaptureOptions options_;
  bool armed_ = false;
  int64_t graphStepsBefore_ = 0;
  std::optional<TimelineReport> report_;
};

} // namespace loom::tools

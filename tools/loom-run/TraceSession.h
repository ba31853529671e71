// TraceSession: `--trace FILE` of a loom-run command — the engine's steps, the model's forward
// passes and kernels, and the requests, written as a Perfetto trace when the command is done.
#pragma once

#include "runtime/Engine/Engine.h"
#include "tools/loom-run/ServingModel.h"
#include "tools/loom-run/TraceRecorder.h"
#include "tools/loom-run/TraceRunner.h"

#include <memory>
#include <string>

namespace loom::tools {

/// How a command uses it (serve too): make one after loading the model, create the engine over
/// runner(), drive the engine with step() (instead of Engine::step/runUntilDone), and call
/// finish() at the end. The events: "step N" on the engine track around schedule → forward →
/// postprocess (args: the engine's running/waiting requests and KV blocks after it), "forward"
/// inside it (TraceRunner), kernels, graph replays and captures on the GPU track, one track per
/// request.
class TraceSession {
public:
  /// Traces `model`'s runner into `path`; `model` must outlive the session.
  static std::unique_ptr<TraceSession> create(ServingModel &model, std::string path);

  /// The runner to build the engine on.
  rt::ModelRunner &runner() { return *runner_; }
  TraceRecorder &recorder() { return recorder_; }

  /// engine.step() as a "step" event; requests that finish in it are recorded.
  StatusOr<std::vector<std::shared_ptr<const rt::Sequence>>> step(rt::Engine &engine);
  /// step() until the engine has no unfinished request.
  Status runUntilDone(rt::Engine &engine);
  /// Records the requests still running and writes the trace file.
  Status finish();

private:
  TraceSession(ServingModel &model, std::string path);

  std::string path_;
  TraceRecorder recorder_;
  std::unique_ptr<TraceRunner> runner_;
  int64_t steps_ = 0;
};

/// A session writing to `path`, or null when `path` is empty (no --trace).
std::unique_ptr<TraceSession> traceSessionFor(ServingModel &model, const std::string &path);
/// The runner an engine should drive: the trace's when tracing, else the model's.
rt::ModelRunner &engineRunner(ServingModel &model, TraceSession *trace);
/// trace->finish() when tracing; ok otherwise.
Status finishTrace(TraceSession *trace);
/// engine.step(), through `trace` when it is set.
StatusOr<std::vector<std::shared_ptr<const rt::Sequence>>> stepEngine(rt::Engine &engine,
                                                                      TraceSession *trace);

} // namespace loom::tools

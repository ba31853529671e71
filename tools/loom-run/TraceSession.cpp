// TraceSession: a TraceRunner under the engine, "step" events around it, the file at the end.
#include "tools/loom-run/TraceSession.h"

#include "runtime/Serving/PackageModelRunner.h"

#include <fmt/format.h>

namespace loom::tools {

TraceSession::TraceSession(ServingModel &model, std::string path)
    : path_(std::move(path)), recorder_(rt::steadyClockSeconds()) {
  auto *packageRunner = dynamic_cast<rt::PackageModelRunner *>(&model.runner());
  runner_ = std::make_unique<TraceRunner>(model.runner(), model.gpuParts(), packageRunner,
                                          recorder_);
}

std::unique_ptr<TraceSession> TraceSession::create(ServingModel &model, std::string path) {
  return std::unique_ptr<TraceSession>(new TraceSession(model, std::move(path)));
}

StatusOr<std::vector<std::shared_ptr<const rt::Sequence>>> TraceSession::step(rt::Engine &engine) {
  double start = rt::steadyClockSeconds();
  LOOM_ASSIGN_OR_RETURN(auto finished, engine.step());
  double end = rt::steadyClockSeconds();
  rt::EngineStats stats = engine.stats();
  ++steps_;
  recorder_.complete(kEngineTrack, fmt::format("step {}", steps_), "step", start, end - start,
                     {{"step", steps_},
                      {"finished", finished.size()},
                      {"running", stats.running},
                      {"waiting", stats.waiting},
                      {"kv_blocks_used", stats.kvBlocksUsed},
                      {"kv_blocks_total", stats.kvBlocksTotal},
                      {"preemptions", stats.preemptions}});
  for (const auto &sequence : finished)
    runner_->recordRequest(*sequence);
  return finished;
}

Status TraceSession::runUntilDone(rt::Engine &engine) {
  return engine.runUntilDone([&] { return step(engine); });
}

Status TraceSession::finish() {
  runner_->flush();
  return recorder_.write(path_);
}

std::unique_ptr<TraceSession> traceSessionFor(ServingModel &model, const std::string &path) {
  return path.empty() ? nullptr : TraceSession::create(model, path);
}

rt::ModelRunner &engineRunner(ServingModel &model, TraceSession *trace) {
  return trace ? trace->runner() : model.runner();
}

Status finishTrace(TraceSession *trace) { return trace ? trace->finish() : Status::ok(); }

StatusOr<std::vector<std::shared_ptr<const rt::Sequence>>> stepEngine(rt::Engine &engine,
                                                                      TraceSession *trace) {
  return trace ? trace->step(engine) : engine.step();
}

} // namespace loom::tools

// TraceRecorder: Trace Event Format events in memory, written as one JSON file.
#include "tools/loom-run/TraceRecorder.h"

#include "runtime/Support/Files.h"

namespace loom::tools {

namespace {

nlohmann::json metadata(const char *kind, int pid, int tid, const std::string &name) {
  return {{"ph", "M"}, {"name", kind}, {"pid", pid}, {"tid", tid}, {"args", {{"name", name}}}};
}

} // namespace

TraceRecorder::TraceRecorder(double originSeconds) : originSeconds_(originSeconds) {}

void TraceRecorder::nameProcess(int pid, const std::string &name) {
  std::lock_guard lock(mutex_);
  names_.push_back(metadata("process_name", pid, 0, name));
}

void TraceRecorder::nameTrack(TraceTrack track, const std::string &name) {
  std::lock_guard lock(mutex_);
  names_.push_back(metadata("thread_name", track.pid, track.tid, name));
}

void TraceRecorder::complete(TraceTrack track, const std::string &name,
                             const std::string &category, double startSeconds,
                             double durationSeconds, nlohmann::json args) {
  nlohmann::json event = {{"ph", "X"},
                          {"name", name},
                          {"cat", category},
                          {"pid", track.pid},
                          {"tid", track.tid},
                          {"ts", microseconds(startSeconds)},
                          {"dur", std::max(durationSeconds, 0.0) * 1e6},
                          {"args", std::move(args)}};
  std::lock_guard lock(mutex_);
  events_.push_back(std::move(event));
}

void TraceRecorder::instant(TraceTrack track, const std::string &name,
                            const std::string &category, double atSeconds, nlohmann::json args) {
  nlohmann::json event = {{"ph", "i"},       {"s", "t"},
                          {"name", name},    {"cat", category},
                          {"pid", track.pid}, {"tid", track.tid},
                          {"ts", microseconds(atSeconds)}, {"args", std::move(args)}};
  std::lock_guard lock(mutex_);
  events_.push_back(std::move(event));
}

nlohmann::json TraceRecorder::json() const {
  std::lock_guard lock(mutex_);
  nlohmann::json events = nlohmann::json::array();
  for (const nlohmann::json &name : names_)
    events.push_back(name);
  for (const nlohmann::json &event : events_)
    events.push_back(event);
  return {{"traceEvents", std::move(events)}, {"displayTimeUnit", "ms"}};
}

Status TraceRecorder::write(const std::string &path) const {
  return writeFileAtomic(path, json().dump() + "\n").withContext("writing the trace");
}

size_t TraceRecorder::numEvents() const {
  std::lock_guard lock(mutex_);
  return events_.size();
}

} // namespace loom::tools

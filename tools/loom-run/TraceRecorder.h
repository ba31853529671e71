// TraceRecorder: timed events collected in memory and written as a Chrome/Perfetto trace (the
// Trace Event Format JSON that ui.perfetto.dev and chrome://tracing open).
#pragma once

#include "runtime/Support/Status.h"

#include <nlohmann/json.hpp>

#include <mutex>
#include <string>
#include <vector>

namespace loom::tools {

/// A row of the trace viewer: a process (`pid`, a group of rows) and a thread (`tid`) in it.
struct TraceTrack {
  int pid = 0;
  int tid = 0;
};

/// loom-run's tracks. Requests get one row each in kRequestsPid (tid = request id + 1).
inline constexpr TraceTrack kEngineTrack{1, 1};       ///< engine steps and the forward pass
inline constexpr TraceTrack kGpuTrack{2, 1};          ///< kernels and graph replays, GPU time
inline constexpr int kRequestsPid = 3;

/// How it works: events are kept as JSON objects in arrival order (a mutex guards them, so an
/// HTTP thread may add request events while the engine thread adds steps); write() adds the
/// "M" metadata events naming every process and thread used and writes {"traceEvents": [...]}.
/// Times are seconds on the engine's clock (rt::steadyClockSeconds), stored as microseconds
/// since the recorder was made.
class TraceRecorder {
public:
  /// `originSeconds`: the clock reading that becomes ts = 0.
  explicit TraceRecorder(double originSeconds);

  /// Names the process `pid` and the thread `track` in the viewer (last name wins).
  void nameProcess(int pid, const std::string &name);
  void nameTrack(TraceTrack track, const std::string &name);

  /// A complete ("X") event from `startSeconds` lasting `durationSeconds` on `track`.
  void complete(TraceTrack track, const std::string &name, const std::string &category,
                double startSeconds, double durationSeconds,
                nlohmann::json args = nlohmann::json::object());
  /// An instant ("i") event at `atSeconds`, drawn as a tick on its thread.
  void instant(TraceTrack track, const std::string &name, const std::string &category,
               double atSeconds, nlohmann::json args = nlohmann::json::object());

  /// {"traceEvents": [metadata..., events...], "displayTimeUnit": "ms"}.
  nlohmann::json json() const;
  /// Writes json() to `path` (atomically: a reader never sees half a file).
  Status write(const std::string &path) const;

  size_t numEvents() const;

private:
  double microseconds(double seconds) const { return (seconds - originSeconds_) * 1e6; }

  double originSeconds_;
  mutable std::mutex mutex_;
  std::vector<nlohmann::json> events_;
  std::vector<nlohmann::json> names_; ///< "M" events
};

} // namespace loom::tools

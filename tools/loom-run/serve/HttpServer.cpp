// HttpServer: httplib server, engine worker and signal watcher wired together.
#include "tools/loom-run/serve/HttpServer.h"

#include "tools/loom-run/serve/ServeRoutes.h"

#include <fmt/format.h>
#include <httplib.h>

#include <csignal>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <optional>
#include <thread>

namespace loom::serve {

namespace {

using namespace std::chrono_literals;

/// httplib listens with a backlog of 5; hundreds of clients connecting at once need more.
constexpr int kListenBacklog = 1024;

class Server : public httplib::Server {
public:
  /// Re-issues listen() on the bound socket with a deeper accept queue.
  bool widenBacklog() { return ::listen(svr_sock_, kListenBacklog) == 0; }
};

sigset_t shutdownSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

/// The shutdown signal that arrived (polled every 100 ms), or nullopt once `stop` is set.
std::optional<int> waitForShutdownSignal(const std::atomic<bool> &stop) {
  sigset_t set = shutdownSignals();
  timespec poll{0, 100'000'000};
  while (!stop)
    if (int signal = sigtimedwait(&set, nullptr, &poll); signal > 0)
      return signal;
  return std::nullopt;
}

/// Waits for SIGINT/SIGTERM (or `stop`), then drains: new requests get 503, the requests in
/// flight finish and their responses are written, then the HTTP server stops.
void watchSignals(Server &server, EngineWorker &worker, const ServeRoutes &routes,
                  const std::atomic<bool> &stop,
                  const std::function<void(const std::string &)> &log) {
  std::optional<int> signal = waitForShutdownSignal(stop);
  if (!signal)
    return;
  log(fmt::format("{}: finishing {} request(s) in flight, then exiting",
                  *signal == SIGINT ? "SIGINT" : "SIGTERM", worker.inFlight()));
  worker.beginDrain();
  while (worker.inFlight() > 0 || routes.activeResponses() > 0)
    std::this_thread::sleep_for(10ms);
  server.stop();
}

/// The port `server` is bound to: options.port, or a free one the system picks for port 0;
/// nullopt when binding fails.
std::optional<int> bindPort(Server &server, const ServerOptions &options) {
  if (options.port != 0)
    return server.bind_to_port(options.host, options.port) ? std::optional<int>(options.port)
                                                           : std::nullopt;
  int port = server.bind_to_any_port(options.host); // httplib: negative on failure
  return port > 0 ? std::optional<int>(port) : std::nullopt;
}

} // namespace

void blockShutdownSignals() {
  sigset_t signals = shutdownSignals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
}

Status runHttpServer(const ServerOptions &options, const ServedModel &model, rt::Engine &engine,
                     const std::function<void(const std::string &)> &log) {
  blockShutdownSignals();
  std::signal(SIGPIPE, SIG_IGN);

  ServeMetrics metrics;
  EngineWorker worker(engine, metrics, options.step);
  ServeRoutes routes(model, worker, metrics, options.maxBodyBytes);
  Server server;
  int threads = options.httpThreads;
  server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  routes.install(server);

  std::optional<int> port = bindPort(server, options);
  if (!port)
    return LOOM_ERROR(StatusCode::kUnavailable,
                      fmt::format("cannot listen on {}:{}", options.host, options.port));
  if (!server.widenBacklog())
    return LOOM_ERROR(StatusCode::kUnavailable, "cannot widen the listen backlog");

  metrics.setEngineStats(engine.stats());
  std::atomic<bool> listened = false, stopWatching = false;
  std::thread http([&] {
    listened = server.listen_after_bind();
    worker.requestStop();
  });
  std::thread watcher([&] { watchSignals(server, worker, routes, stopWatching, log); });
  log(fmt::format("serving '{}' on http://{}:{} (Ctrl-C to stop)", model.name, options.host,
                  *port));
  worker.run(); // on this thread, which loaded the model (and holds its CUDA context)
  http.join();
  stopWatching = true;
  watcher.join();
  if (!listened)
    return LOOM_ERROR(StatusCode::kUnavailable, "the HTTP server stopped with an error");
  log("stopped");
  return Status::ok();
}

} // namespace loom::serve

// HttpServer: the server's life — bind, serve on a pool of handler threads, and on SIGINT or
// SIGTERM drain (refuse new requests, finish those in flight) and exit.
#pragma once

#include "runtime/Support/Status.h"
#include "tools/loom-run/serve/EngineWorker.h"
#include "tools/loom-run/serve/ServedModel.h"

#include <functional>
#include <string>

namespace loom::serve {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8000;              ///< 0: any free port (printed when listening)
  size_t maxBodyBytes = 1 << 20;
  int httpThreads = 512;        ///< connections served at once (a stream holds one)
  EngineStep step;              ///< replaces engine.step() when set (--trace)
};

/// Blocks SIGINT and SIGTERM in the calling thread and the threads it starts later, so that
/// runHttpServer's watcher takes them. Call it before starting any thread (model loading starts
/// worker pools): a thread that does not block them would be killed by them.
void blockShutdownSignals();

/// Serves `model` with `engine` until SIGINT or SIGTERM, then drains and returns ok.
/// `log` receives lines such as "listening on http://127.0.0.1:8000". Calls
/// blockShutdownSignals (call it earlier if threads exist already).
Status runHttpServer(const ServerOptions &options, const ServedModel &model, rt::Engine &engine,
                     const std::function<void(const std::string &)> &log);

} // namespace loom::serve

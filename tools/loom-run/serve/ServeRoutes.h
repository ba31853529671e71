// ServeRoutes: the HTTP endpoints — POST /v1/completions and /v1/chat/completions (streamed
// by server-sent events or whole), GET /v1/models, /health and /metrics.
#pragma once

#include "tools/loom-run/serve/EngineWorker.h"
#include "tools/loom-run/serve/ServeMetrics.h"
#include "tools/loom-run/serve/ServedModel.h"

#include <atomic>
#include <cstddef>

namespace httplib {
class Server;
struct Request;
struct Response;
} // namespace httplib

namespace loom::serve {

class ServeRoutes {
public:
  ServeRoutes(const ServedModel &model, EngineWorker &worker, ServeMetrics &metrics,
              size_t maxBodyBytes)
      : model_(model), worker_(worker), metrics_(metrics), maxBodyBytes_(maxBodyBytes) {}

  /// Registers the endpoints, the OpenAI-shaped error pages (404, 413, ...) and the request
  /// counter on `server`.
  void install(httplib::Server &server);
  /// Generation requests whose response is still being written (streams included).
  int activeResponses() const { return activeResponses_; }

private:
  void generate(const httplib::Request &request, httplib::Response &response, Endpoint endpoint);
  void health(httplib::Response &response) const;
  void models(httplib::Response &response) const;

  const ServedModel &model_;
  EngineWorker &worker_;
  ServeMetrics &metrics_;
  size_t maxBodyBytes_;
  std::atomic<int> activeResponses_ = 0;
  int64_t startTime_ = 0;
};

} // namespace loom::serve

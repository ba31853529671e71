// ServeRoutes: request handling on httplib's threads; generation waits on a RequestChannel.
#include "tools/loom-run/serve/ServeRoutes.h"

#include "tools/loom-run/serve/OpenAiResponse.h"
#include "tools/loom-run/serve/SseEncoding.h"

#include <fmt/format.h>
#include <httplib.h>

#include <chrono>

namespace loom::serve {

namespace {

using nlohmann::json;
using namespace std::chrono_literals;

/// How long a stream waits for output before writing a keep-alive comment; the write also
/// finds a client that has gone away.
constexpr auto kKeepAliveInterval = 1000ms;

constexpr std::string_view kJson = "application/json";

void reply(httplib::Response &response, int status, const json &body) {
  response.status = status;
  response.set_content(jsonText(body), std::string(kJson));
}

void replyError(httplib::Response &response, const ApiError &error) {
  reply(response, error.status, error.toJson());
}

/// Counts a response as active while it lives.
class ActiveResponse {
public:
  explicit ActiveResponse(std::atomic<int> &count) : count_(count) { ++count_; }
  ~ActiveResponse() { --count_; }
  ActiveResponse(const ActiveResponse &) = delete;
  ActiveResponse &operator=(const ActiveResponse &) = delete;

private:
  std::atomic<int> &count_;
};

ApiError engineError(const Status &error) {
  return {500, error.message(), "server_error", "", "engine_error"};
}

/// One streamed response. Destroyed when httplib is done with the stream: if the request has
/// not finished by then (the client went away), it is cancelled and its KV blocks freed.
struct StreamState {
  StreamState(EngineWorker &worker, std::shared_ptr<RequestChannel> channel,
              OpenAiResponse response, std::atomic<int> &active)
      : worker(worker), channel(std::move(channel)), response(std::move(response)),
        active(active) {}
  ~StreamState() { worker.cancel(channel); }

  /// The SSE text for `update`; on the finish also the usage and [DONE].
  std::string encode(const RequestUpdate &update) {
    std::string events;
    std::string text = echo + update.textDelta;
    echo.clear();
    if (!text.empty() || first) // chat: the first chunk carries the role, even if empty
      events += sseEvent(response.chunk(text, first));
    first = false;
    if (!update.finishReason)
      return events;
    if (*update.finishReason == rt::FinishReason::kError)
      events += sseEvent(engineError(update.error).toJson());
    else
      events += sseEvent(response.finishChunk(*update.finishReason));
    if (includeUsage)
      events += sseEvent(response.usageChunk({update.promptTokens, update.outputTokens}));
    return events + std::string(kSseDone);
  }

  EngineWorker &worker;
  std::shared_ptr<RequestChannel> channel;
  OpenAiResponse response;
  ActiveResponse active;
  std::string echo; ///< the prompt text, sent before the first output (echo)
  bool includeUsage = false;
  bool first = true;
};

} // namespace

void ServeRoutes::generate(const httplib::Request &request, httplib::Response &response,
                           Endpoint endpoint) {
  auto parsed = parseOpenAiRequest(request.body, endpoint);
  if (auto *error = std::get_if<ApiError>(&parsed))
    return replyError(response, *error);
  const OpenAiRequest &openAi = std::get<OpenAiRequest>(parsed);
  std::string promptText;
  auto prepared = model_.toEngineRequest(openAi, promptText);
  if (auto *error = std::get_if<ApiError>(&prepared))
    return replyError(response, *error);
  std::shared_ptr<RequestChannel> channel =
      worker_.submit(std::move(std::get<EngineRequest>(prepared)));
  if (!channel)
    return replyError(response, {503, "the server is shutting down", "server_error", "",
                                 "shutting_down"});
  OpenAiResponse builder(endpoint, model_.name);
  if (!openAi.echo)
    promptText.clear();

  if (openAi.stream) {
    auto state = std::make_shared<StreamState>(worker_, channel, std::move(builder),
                                               activeResponses_);
    state->echo = std::move(promptText);
    state->includeUsage = openAi.includeUsage;
    response.set_header("Cache-Control", "no-cache");
    response.set_chunked_content_provider(
        "text/event-stream", [state](size_t, httplib::DataSink &sink) {
          std::optional<RequestUpdate> update = state->channel->pop(kKeepAliveInterval);
          if (!update)
            return sink.write(kSseKeepAlive.data(), kSseKeepAlive.size());
          std::string events = state->encode(*update);
          if (!events.empty() && !sink.write(events.data(), events.size()))
            return false; // the client went away: ~StreamState cancels the request
          if (update->finishReason)
            sink.done();
          return true;
        });
    return;
  }

  ActiveResponse active(activeResponses_);
  std::string text = promptText;
  for (;;) {
    std::optional<RequestUpdate> update = channel->pop(kKeepAliveInterval);
    if (!update)
      continue;
    text += update->textDelta;
    if (!update->finishReason)
      continue;
    if (*update->finishReason == rt::FinishReason::kError)
      return replyError(response, engineError(update->error));
    return reply(response, 200,
                 builder.whole(text, *update->finishReason,
                               {update->promptTokens, update->outputTokens}));
  }
}

void ServeRoutes::health(httplib::Response &response) const {
  rt::EngineStats stats = metrics_.engineStats();
  bool draining = worker_.draining();
  reply(response, draining ? 503 : 200,
        {{"status", draining ? "draining" : "ok"},
         {"requests_in_flight", worker_.inFlight()},
         {"running", stats.running},
         {"waiting", stats.waiting},
         {"kv_blocks_used", stats.kvBlocksUsed},
         {"kv_blocks_total", stats.kvBlocksTotal}});
}

void ServeRoutes::models(httplib::Response &response) const {
  json entry = {{"id", model_.name},
                {"object", "model"},
                {"created", startTime_},
                {"owned_by", "loom"},
                {"max_model_len", model_.engine.maxModelLen}};
  reply(response, 200, {{"object", "list"}, {"data", json::array({entry})}});
}

void ServeRoutes::install(httplib::Server &server) {
  startTime_ = std::chrono::duration_cast<std::chrono::seconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
  server.set_payload_max_length(maxBodyBytes_);
  server.Post("/v1/completions", [this](const httplib::Request &req, httplib::Response &res) {
    generate(req, res, Endpoint::kCompletions);
  });
  server.Post("/v1/chat/completions",
              [this](const httplib::Request &req, httplib::Response &res) {
                generate(req, res, Endpoint::kChatCompletions);
              });
  server.Get("/v1/models",
             [this](const httplib::Request &, httplib::Response &res) { models(res); });
  server.Get("/health",
             [this](const httplib::Request &, httplib::Response &res) { health(res); });
  server.Get("/metrics", [this](const httplib::Request &, httplib::Response &res) {
    res.set_content(metrics_.renderPrometheus(), "text/plain; version=0.0.4; charset=utf-8");
  });
  server.set_error_handler([this](const httplib::Request &req, httplib::Response &res) {
    if (!res.body.empty())
      return;
    ApiError error{res.status, fmt::format("{} {} failed with HTTP {}", req.method, req.path,
                                           res.status),
                   "invalid_request_error", "", ""};
    if (res.status == 404)
      error.message = fmt::format("no route {} {}", req.method, req.path);
    if (res.status == 413)
      error = {413, fmt::format("the request body exceeds the limit of {} bytes", maxBodyBytes_),
               "invalid_request_error", "", "request_too_large"};
    replyError(res, error);
  });
  server.set_exception_handler(
      [](const httplib::Request &, httplib::Response &res, std::exception_ptr exception) {
        std::string message = "internal error";
        try {
          std::rethrow_exception(exception);
        } catch (const std::exception &e) {
          message = e.what();
        } catch (...) {
        }
        replyError(res, {500, message, "server_error", "", "internal_error"});
      });
  server.set_logger([this](const httplib::Request &req, const httplib::Response &res) {
    static constexpr std::string_view kRoutes[] = {"/v1/completions", "/v1/chat/completions",
                                                   "/v1/models", "/health", "/metrics"};
    std::string_view route = "other";
    for (std::string_view known : kRoutes)
      if (req.path == known)
        route = known;
    metrics_.countHttpRequest(route, res.status);
  });
}

} // namespace loom::serve

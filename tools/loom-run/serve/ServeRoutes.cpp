// ServeRoutes: request handling on httplib's threads; generation waits on a RequestChannel.
#include "tools/loom-run/serve/ServeRoutes.h"

#include "tools/loom-run/serve/OpenAiResponse.h"
#include "tools/loom-run/serve/SseEncoding.h"

#include <fmt/format.h>
#include <httplib.h>

#include <chrono>
#include <optional>

namespace loom::serve {

namespace {

using nlohmann::json;
using namespace std::chrono_literals;

/// How long a stream waits for output before writing a keep-alive comment; the write also
/// finds a client that has gone away.
constexpr auto kKeepAliveInterval = 1000ms;

constexpr std::string_view kJson = "application/json";
/// How often a response sent whole writes a keep-alive while it waits — even while tokens
/// come: the write is what finds a client that has gone away (the second write after it
/// closed fails). The keep-alive is whitespace, which JSON ignores.
constexpr auto kWholeKeepAliveInterval = 200ms;
constexpr std::string_view kJsonKeepAlive = " ";

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

/// A response that httplib writes through a content provider. Destroyed when httplib is done
/// with it: if the request has not finished by then (the client went away), it is cancelled
/// and its KV blocks freed.
struct PendingResponse {
  PendingResponse(EngineWorker &worker, std::shared_ptr<RequestChannel> channel,
                  OpenAiResponse response, std::atomic<int> &active)
      : worker(worker), channel(std::move(channel)), response(std::move(response)),
        active(active) {}
  ~PendingResponse() { worker.cancel(channel); }
  PendingResponse(const PendingResponse &) = delete;
  PendingResponse &operator=(const PendingResponse &) = delete;

  EngineWorker &worker;
  std::shared_ptr<RequestChannel> channel;
  OpenAiResponse response;
  ActiveResponse active;
};

/// One streamed response.
struct StreamState : PendingResponse {
  using PendingResponse::PendingResponse;

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

  std::string echo; ///< the prompt text, sent before the first output (echo)
  bool includeUsage = false;
  bool first = true;
};

/// One response sent whole at the finish.
struct WholeState : PendingResponse {
  using PendingResponse::PendingResponse;

  /// Adds `update`'s text; at the finish, the JSON body (the completion or the engine error).
  std::optional<std::string> add(const RequestUpdate &update) {
    text += update.textDelta;
    if (!update.finishReason)
      return std::nullopt;
    if (*update.finishReason == rt::FinishReason::kError)
      return jsonText(engineError(update.error).toJson());
    return jsonText(response.whole(text, *update.finishReason,
                                   {update.promptTokens, update.outputTokens}));
  }

  /// True (and the clock restarted) when a keep-alive space is due.
  bool keepAliveDue() {
    auto now = std::chrono::steady_clock::now();
    if (now - lastKeepAlive < kWholeKeepAliveInterval)
      return false;
    lastKeepAlive = now;
    return true;
  }

  std::string text; ///< the prompt (echo), then the output so far
  std::chrono::steady_clock::time_point lastKeepAlive = std::chrono::steady_clock::now();
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
            return false; // the client went away: ~PendingResponse cancels the request
          if (update->finishReason)
            sink.done();
          return true;
        });
    return;
  }

  // Not streamed: wait for the first output (an engine error before it still gets its HTTP
  // 500), then answer through a chunked provider that writes a space now and then while
  // waiting — JSON allows leading whitespace, and the write finds a client that has gone away
  // (the request is then cancelled) — and the whole JSON body at the finish. An engine error
  // after the first output can only be the body of a 200 by then.
  auto state = std::make_shared<WholeState>(worker_, channel, std::move(builder),
                                            activeResponses_);
  state->text = std::move(promptText);
  std::optional<RequestUpdate> first;
  while (!first)
    first = channel->pop(kKeepAliveInterval);
  if (std::optional<std::string> body = state->add(*first)) {
    if (first->finishReason == rt::FinishReason::kError)
      return replyError(response, engineError(first->error));
    response.status = 200;
    response.set_content(*body, std::string(kJson));
    return;
  }
  response.set_chunked_content_provider(
      std::string(kJson), [state](size_t, httplib::DataSink &sink) {
        if (std::optional<RequestUpdate> update = state->channel->pop(kWholeKeepAliveInterval))
          if (std::optional<std::string> body = state->add(*update)) {
            if (!sink.write(body->data(), body->size()))
              return false; // the client went away: ~PendingResponse cancels the request
            sink.done();
            return true;
          }
        if (!state->keepAliveDue())
          return true;
        return sink.is_writable() && sink.write(kJsonKeepAlive.data(), kJsonKeepAlive.size());
      });
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

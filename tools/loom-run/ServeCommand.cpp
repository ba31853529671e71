// loom-run serve: an OpenAI-compatible HTTP server on the engine (tools/loom-run/serve).
#include "tools/loom-run/Commands.h"

#include "runtime/Engine/Engine.h"
#include "tools/loom-run/RequestOptions.h"
#include "tools/loom-run/TraceSession.h"
#include "tools/loom-run/serve/HttpServer.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

namespace loom::tools {
namespace {

constexpr std::string_view kCommand = "serve";

/// The shared options that shape the model and engine; sampling comes with each request.
constexpr std::string_view kModelOptions[] = {
    "model",         "backend",    "dtype",      "max-seqs",       "max-batched-tokens",
    "max-model-len", "num-blocks", "block-size", "batch-invariant", "trace"};

struct ServeCommandOptions {
  ServingOptions serving;
  bool ignoreEos = false; // unused: per request
  serve::ServerOptions server;
  int maxBodyBytes = 1 << 20;
  std::string servedModelName;
  std::string chatTemplate;
};

std::string usage(const std::vector<OptionSpec> &specs) {
  return "usage: loom-run serve --model DIR|FILE.gguf [--host H] [--port P] [--backend cpu|gpu] "
         "[options]\n" +
         optionsUsage(specs);
}

std::vector<OptionSpec> serveOptionSpecs(ServeCommandOptions &o) {
  std::vector<OptionSpec> specs;
  for (OptionSpec &spec : servingOptionSpecs(o.serving, o.ignoreEos))
    if (std::find(std::begin(kModelOptions), std::end(kModelOptions), spec.name) !=
        std::end(kModelOptions))
      specs.push_back(std::move(spec));
  specs.push_back(stringOption("host", "ADDR", o.server.host));
  specs.push_back(intOption("port", o.server.port, 0, 65535));
  specs.push_back(intOption("max-body-bytes", o.maxBodyBytes, 1024, 1 << 30));
  specs.push_back(intOption("http-threads", o.server.httpThreads, 2, 8192));
  specs.push_back(stringOption("served-model-name", "NAME", o.servedModelName));
  specs.push_back(choiceOption("chat-template", o.chatTemplate, {"chatml", "llama3"}));
  return specs;
}

/// The model's id: --served-model-name, else the folder or file name without extension.
std::string modelName(const ServeCommandOptions &o) {
  if (!o.servedModelName.empty())
    return o.servedModelName;
  std::filesystem::path path(o.serving.model.path);
  if (path.filename().empty())
    path = path.parent_path();
  return path.stem().string();
}

} // namespace

int runServe(Arguments args) {
  ServeCommandOptions o;
  std::vector<OptionSpec> specs = serveOptionSpecs(o);
  if (std::optional<int> exitCode = parseCommandLine(kCommand, args, specs, usage(specs)))
    return *exitCode;
  if (o.serving.model.path.empty())
    return failCommand(kCommand, "missing --model DIR", usage(specs));
  o.server.maxBodyBytes = static_cast<size_t>(o.maxBodyBytes);

  serve::blockShutdownSignals(); // before model loading starts thread pools
  auto log = [](const std::string &line) { fmt::print(stderr, "[loom-run] {}\n", line); };
  auto model = loadServingModel(o.serving.model, log);
  if (!model.isOk())
    return failCommand(kCommand, model.status().toString());
  const ModelFiles &files = (*model)->files();
  if (!files.tokenizer)
    return failCommand(kCommand, fmt::format("{} has no tokenizer", o.serving.model.path));

  serve::ServedModel served{modelName(o), *files.tokenizer, files.chat, files.chatError,
                            (*model)->engineConfig(), {}};
  if (!o.chatTemplate.empty()) {
    auto named = frontend::ChatTemplate::named(o.chatTemplate);
    if (!named.isOk())
      return failCommand(kCommand, named.status().toString());
    served.chat = *named;
  }
  const auto &eosIds = (*model)->config().eosTokenIds;
  for (size_t i = 1; i < eosIds.size(); ++i)
    served.extraStopTokenIds.push_back(static_cast<rt::TokenId>(eosIds[i]));

  rt::Detokenizer detokenize = [tok = *files.tokenizer](std::span<const rt::TokenId> ids) {
    auto text = tok.decode(ids, /*skipSpecialTokens=*/true);
    return text.isOk() ? *text : std::string();
  };
  // --trace: the engine runs on the trace's runner and steps through it; the file is written
  // once the server has drained.
  std::unique_ptr<TraceSession> trace = traceSessionFor(**model, o.serving.tracePath);
  auto engine =
      rt::Engine::create(served.engine, engineRunner(**model, trace.get()), detokenize);
  if (!engine.isOk())
    return failCommand(kCommand, engine.status().toString());
  if (trace)
    o.server.step = [session = trace.get()](rt::Engine &e) { return stepEngine(e, session); };
  if (Status status = serve::runHttpServer(o.server, served, **engine, log); !status.isOk())
    return failCommand(kCommand, status.toString());
  if (Status status = finishTrace(trace.get()); !status.isOk())
    return failCommand(kCommand, status.toString());
  if (trace)
    log(fmt::format("trace written to {}", o.serving.tracePath));
  return 0;
}

} // namespace loom::tools

// loom-run serve: an OpenAI-compatible HTTP server on the engine (tools/loom-run/serve).
#include "tools/loom-run/Commands.h"

#include "runtime/Engine/Engine.h"
#include "tools/loom-run/RequestOptions.h"
#include "tools/loom-run/TextEngine.h"
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
  // --trace: the engine runs on the trace's runner and steps through it; the file is written
  // once the server has drained.
  auto loaded = loadTextEngine(o.serving.model, o.serving.tracePath, printProgress);
  if (!loaded.isOk())
    return failCommand(kCommand, loaded.status().toString());
  const ModelFiles &files = loaded->model->files();
  serve::ServedModel served{modelName(o), loaded->tokenizer(), files.chat, files.chatError,
                            loaded->model->engineConfig(), loaded->extraStopTokenIds()};
  if (!o.chatTemplate.empty()) {
    auto named = frontend::ChatTemplate::named(o.chatTemplate);
    if (!named.isOk())
      return failCommand(kCommand, named.status().toString());
    served.chat = *named;
  }
  TraceSession *trace = loaded->trace.get();
  if (trace)
    o.server.step = [trace](rt::Engine &e) { return stepEngine(e, trace); };
  if (Status status = serve::runHttpServer(o.server, served, *loaded->engine, printProgress);
      !status.isOk())
    return failCommand(kCommand, status.toString());
  if (Status status = finishTrace(trace); !status.isOk())
    return failCommand(kCommand, status.toString());
  if (trace)
    printProgress(fmt::format("trace written to {}", o.serving.tracePath));
  return 0;
}

} // namespace loom::tools

// loom-run generate: prompts in, continuations streamed to stdout in prompt order.
#include "tools/loom-run/Commands.h"

#include "frontend/Readers/ChatTemplate.h"
#include "frontend/Readers/Tokenizer.h"
#include "runtime/Engine/Engine.h"
#include "runtime/Support/Files.h"
#include "tools/loom-run/RequestOptions.h"
#include "tools/loom-run/TextEngine.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <sstream>

namespace loom::tools {
namespace {

constexpr std::string_view kCommand = "generate";

struct GenerateOptions {
  ServingOptions serving;
  std::vector<std::string> prompts;
  std::string promptsFile;
  bool chat = false;
  bool ignoreEos = false;
};

std::string usage(const std::vector<OptionSpec> &specs) {
  return "usage: loom-run generate --model DIR (--prompt TEXT ... | --prompts-file F) "
         "[--max-tokens N] [--chat] [options]\n" +
         optionsUsage(specs);
}

/// Prints each request's text in prompt order, streaming the oldest unfinished one live and
/// holding the others' text until their turn.
class OrderedPrinter {
public:
  explicit OrderedPrinter(size_t count) : pending_(count), finished_(count, false) {}

  void add(size_t index, const std::string &text, bool finished) {
    pending_[index] += text;
    finished_[index] = finished_[index] || finished;
    while (current_ < pending_.size()) {
      fmt::print("{}", pending_[current_]);
      pending_[current_].clear();
      if (!finished_[current_])
        break;
      fmt::print("\n");
      ++current_;
    }
    std::fflush(stdout);
  }

private:
  std::vector<std::string> pending_;
  std::vector<bool> finished_;
  size_t current_ = 0;
};

StatusOr<std::vector<std::string>> readPrompts(const GenerateOptions &options) {
  std::vector<std::string> prompts = options.prompts;
  if (!options.promptsFile.empty()) {
    LOOM_ASSIGN_OR_RETURN(std::string text, readFile(options.promptsFile));
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);)
      if (!line.empty())
        prompts.push_back(line);
  }
  return prompts;
}

} // namespace

int runGenerate(Arguments args) {
  GenerateOptions options;
  options.serving.sampling.temperature = 0.0f;
  options.serving.sampling.maxTokens = 64;
  std::vector<OptionSpec> specs = servingOptionSpecs(options.serving, options.ignoreEos);
  specs.push_back(stringListOption("prompt", "TEXT", options.prompts));
  specs.push_back(stringOption("prompts-file", "F", options.promptsFile));
  specs.push_back(intOption("max-tokens", options.serving.sampling.maxTokens, 1, 1 << 20));
  specs.push_back(flagOption("chat", options.chat));
  if (std::optional<int> exitCode = parseCommandLine(kCommand, args, specs, usage(specs)))
    return *exitCode;
  if (options.serving.model.path.empty())
    return failCommand(kCommand, "missing --model DIR", usage(specs));
  if (options.prompts.empty() && options.promptsFile.empty())
    return failCommand(kCommand, "give --prompt TEXT or --prompts-file F", usage(specs));
  if (options.serving.model.randomWeights)
    return failCommand(kCommand, "generate needs real weights");
  auto prompts = readPrompts(options);
  if (!prompts.isOk())
    return failCommand(kCommand, prompts.status().toString());
  if (prompts->empty())
    return failCommand(kCommand, fmt::format("{} holds no prompt", options.promptsFile));

  auto loaded = loadTextEngine(options.serving.model, options.serving.tracePath, printProgress);
  if (!loaded.isOk())
    return failCommand(kCommand, loaded.status().toString());
  const ModelFiles &files = loaded->model->files();
  const frontend::Tokenizer *tokenizer = &loaded->tokenizer();
  std::optional<frontend::ChatTemplate> chat;
  if (options.chat) {
    if (!files.chat)
      return failCommand(kCommand, fmt::format("--chat: {}", files.chatError.toString()));
    chat = *files.chat;
  }
  rt::Engine &engine = *loaded->engine;
  TraceSession *trace = loaded->trace.get();

  rt::SamplingParams params = options.serving.sampling;
  params.seed = options.serving.seed;
  params.ignoreEos = options.ignoreEos;
  params.stopTokenIds = loaded->extraStopTokenIds();
  if (chat)
    params.stopStrings.emplace_back(chat->endOfTurn());

  OrderedPrinter printer(prompts->size());
  int failed = 0;
  for (size_t i = 0; i < prompts->size(); ++i) {
    std::string text = (*prompts)[i];
    if (chat) {
      std::vector<frontend::ChatMessage> messages = {{"user", text}};
      text = chat->render(messages);
    }
    auto ids = tokenizer->encode(text, /*addSpecialTokens=*/!chat);
    if (!ids.isOk()) {
      fmt::print(stderr, "loom-run generate: prompt {}: {}\n", i + 1, ids.status().toString());
      printer.add(i, "", true);
      ++failed;
      continue;
    }
    printer.add(i, chat ? "" : (*prompts)[i], false);
    auto seq = engine.addRequest(*ids, params, [&printer, i](const rt::StreamEvent &event) {
      printer.add(i, event.textDelta, event.finishReason.has_value());
    });
    if (!seq->error().isOk()) {
      fmt::print(stderr, "loom-run generate: prompt {}: {}\n", i + 1, seq->error().toString());
      ++failed;
    }
  }
  double start = rt::steadyClockSeconds();
  Status done = trace ? trace->runUntilDone(engine) : engine.runUntilDone();
  if (!done.isOk())
    return failCommand(kCommand, done.toString());
  double seconds = rt::steadyClockSeconds() - start;
  if (Status written = finishTrace(trace); !written.isOk())
    return failCommand(kCommand, written.toString());
  rt::EngineStats stats = engine.stats();
  fmt::print(stderr, "[loom-run] {} tokens in {:.2f} s ({:.1f} tok/s), {} steps, {} preemptions\n",
             stats.generatedTokens, seconds, stats.generatedTokens / std::max(seconds, 1e-9),
             stats.steps, stats.preemptions);
  return failed == 0 ? 0 : 1;
}

} // namespace loom::tools

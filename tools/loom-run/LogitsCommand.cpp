// loom-run logits: prompt ids in, the last position's logits (f32) and greedy ids out as JSON.
#include "tools/loom-run/Commands.h"

#include "frontend/Reference/Interpreter/InterpreterModelRunner.h"
#include "runtime/Engine/Engine.h"
#include "runtime/Support/Files.h"
#include "tools/loom-run/GpuModelParts.h"
#include "tools/loom-run/RequestOptions.h"
#include "tools/loom-run/TraceSession.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstring>

namespace loom::tools {
namespace {

constexpr std::string_view kCommand = "logits";

struct LogitsOptions {
  ServingOptions serving;
  std::string ids;
  std::string jsonPath;
  int greedy = 0;
  bool stepLogits = false;
  bool ignoreEos = true; ///< always on: --greedy N gives exactly N tokens
};

/// The shared options that mean nothing here: decoding is greedy and never stops early.
constexpr std::string_view kSamplingOptions[] = {"temperature", "top-k", "top-p", "min-p",
                                                 "repetition-penalty", "seed", "ignore-eos"};

std::string usage(const std::vector<OptionSpec> &specs) {
  return "usage: loom-run logits --model DIR --ids \"[1, 2, 3]\" [--greedy N [--step-logits]] "
         "[--backend cpu|gpu] --json OUT\n" +
         optionsUsage(specs);
}

/// "[1, 403, 407]" → ids below `vocabSize`.
StatusOr<std::vector<rt::TokenId>> parsePromptIds(const std::string &text, int64_t vocabSize) {
  nlohmann::json json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!json.is_array() || json.empty())
    return LOOM_ERROR(StatusCode::kInvalidArgument,
                      fmt::format("--ids expects a non-empty JSON array of token ids, got '{}'",
                                  text));
  std::vector<rt::TokenId> ids;
  for (const nlohmann::json &item : json) {
    if (!item.is_number_integer() || item.get<int64_t>() < 0 || item.get<int64_t>() >= vocabSize)
      return LOOM_ERROR(StatusCode::kInvalidArgument,
                        fmt::format("--ids: {} is not a token id of the vocabulary of {}",
                                    item.dump(), vocabSize));
    ids.push_back(static_cast<rt::TokenId>(item.get<int64_t>()));
  }
  return ids;
}

/// The logits row of the single sequence of the step that just ran, read from the backend: the
/// gpu package's "logits" output, or the interpreter runner's last logits.
StatusOr<std::vector<float>> lastStepLogits(ServingModel &model) {
  if (const GpuModelParts *gpu = model.gpuParts()) {
    LOOM_ASSIGN_OR_RETURN(auto bytes, gpu->executor->readOutput("logits", {{"seqs", 1}},
                                                                *gpu->stream));
    std::vector<float> logits(bytes.size() / sizeof(float));
    std::memcpy(logits.data(), bytes.data(), logits.size() * sizeof(float));
    return logits;
  }
  if (auto *interpreter = dynamic_cast<ref::InterpreterModelRunner *>(&model.runner())) {
    std::span<const float> row = interpreter->lastLogits().row(0);
    return std::vector<float>(row.begin(), row.end());
  }
  return LOOM_ERROR(StatusCode::kUnavailable, "this backend does not expose its logits");
}

/// The logits row of each step that produced a token: the first is the prompt's last position.
struct LogitsResult {
  std::vector<std::vector<float>> stepLogits;
  std::vector<rt::TokenId> greedy;
};

/// Prefills `prompt` alone (in chunks if it is long) and decodes greedily until `greedyTokens`
/// tokens (at least the first); keeps the logits of the first token's step, or of every token's
/// step with `everyStep`. Steps go through `trace` when it is set.
StatusOr<LogitsResult> runPrompt(ServingModel &model, std::vector<rt::TokenId> prompt,
                                 int greedyTokens, bool everyStep, TraceSession *trace) {
  LOOM_ASSIGN_OR_RETURN(auto engine, rt::Engine::create(model.engineConfig(),
                                                        engineRunner(model, trace)));
  rt::SamplingParams params;
  params.temperature = 0.0f;
  params.maxTokens = std::max(greedyTokens, 1);
  params.ignoreEos = true;
  auto sequence = engine->addRequest(std::move(prompt), params);
  LOOM_RETURN_IF_ERROR(sequence->error());
  LogitsResult result;
  int tokensSeen = 0;
  while (engine->hasUnfinished()) {
    LOOM_RETURN_IF_ERROR(stepEngine(*engine, trace).status());
    if (sequence->numOutputTokens() == tokensSeen)
      continue; // a prefill chunk that sampled nothing
    tokensSeen = sequence->numOutputTokens();
    if (tokensSeen == 1 || everyStep) {
      LOOM_ASSIGN_OR_RETURN(std::vector<float> logits, lastStepLogits(model));
      result.stepLogits.push_back(std::move(logits));
    }
  }
  LOOM_RETURN_IF_ERROR(sequence->error());
  if (result.stepLogits.empty())
    return LOOM_ERROR(StatusCode::kInternal, "the request finished without a token");
  std::span<const rt::TokenId> output = sequence->outputTokens();
  result.greedy.assign(output.begin(), output.begin() + std::min<size_t>(output.size(),
                                                                         greedyTokens));
  return result;
}

Status writeJson(const std::string &path, const nlohmann::json &json) {
  if (path == "-") {
    fmt::print("{}\n", json.dump());
    return Status::ok();
  }
  return writeFileAtomic(path, json.dump());
}

} // namespace

int runLogits(Arguments args) {
  LogitsOptions options;
  options.serving.model.limits.maxSeqs = 1;
  std::vector<OptionSpec> specs = servingOptionSpecs(options.serving, options.ignoreEos);
  std::erase_if(specs, [](const OptionSpec &spec) {
    return std::ranges::find(kSamplingOptions, spec.name) != std::end(kSamplingOptions);
  });
  specs.push_back(stringOption("ids", "JSON", options.ids));
  specs.push_back(intOption("greedy", options.greedy, 0, 1 << 20));
  specs.push_back(flagOption("step-logits", options.stepLogits));
  specs.push_back(stringOption("json", "OUT", options.jsonPath));
  if (std::optional<int> exitCode = parseCommandLine(kCommand, args, specs, usage(specs)))
    return *exitCode;
  if (options.serving.model.path.empty())
    return failCommand(kCommand, "missing --model DIR", usage(specs));
  if (options.ids.empty())
    return failCommand(kCommand, "missing --ids \"[...]\"", usage(specs));
  if (options.jsonPath.empty())
    return failCommand(kCommand, "missing --json OUT (a file, or - for stdout)", usage(specs));

  auto progress = [](const std::string &line) { fmt::print(stderr, "[loom-run] {}\n", line); };
  auto model = loadServingModel(options.serving.model, progress);
  if (!model.isOk())
    return failCommand(kCommand, model.status().toString());
  auto prompt = parsePromptIds(options.ids, (*model)->config().vocabSize);
  if (!prompt.isOk())
    return failCommand(kCommand, prompt.status().toString());
  nlohmann::json json = {{"backend", options.serving.model.backend},
                         {"model", options.serving.model.path},
                         {"ids", *prompt},
                         {"vocab_size", (*model)->config().vocabSize}};
  std::unique_ptr<TraceSession> trace = traceSessionFor(**model, options.serving.tracePath);
  auto result = runPrompt(**model, std::move(*prompt), options.greedy, options.stepLogits,
                          trace.get());
  if (!result.isOk())
    return failCommand(kCommand, result.status().toString());
  if (Status written = finishTrace(trace.get()); !written.isOk())
    return failCommand(kCommand, written.toString());
  json["logits"] = result->stepLogits.front();
  if (options.stepLogits)
    json["step_logits"] = result->stepLogits;
  json["greedy"] = result->greedy;
  if (Status status = writeJson(options.jsonPath, json); !status.isOk())
    return failCommand(kCommand, status.toString());
  return 0;
}

} // namespace loom::tools

// loom-run bench: a synthetic workload (N requests of I prompt and O output tokens, C in flight,
// an optional shared prefix) and its throughput, latency percentiles, KV use and prefix hits.
#include "tools/loom-run/Commands.h"

#include "runtime/Engine/Engine.h"
#include "runtime/Support/Files.h"
#include "tools/loom-run/BenchReport.h"
#include "tools/loom-run/RequestOptions.h"

#include <fmt/format.h>

#include <random>

namespace loom::tools {
namespace {

constexpr std::string_view kCommand = "bench";

struct BenchOptions {
  ServingOptions serving;
  bool ignoreEos = true;
  int numRequests = 0, inputLen = 0, outputLen = 0, concurrency = 0, sharedPrefix = 0;
  std::string jsonPath;
};

std::string usage(const std::vector<OptionSpec> &specs) {
  return "usage: loom-run bench --model DIR|CONFIG.json [--random-weights] --num-requests N "
         "--input-len I --output-len O --concurrency C [--shared-prefix L] [--json FILE|-] "
         "[options]\n" +
         optionsUsage(specs);
}

/// Prompts of `inputLen` ids: the first `sharedPrefix` the same for all, the rest random;
/// ids avoid the first few (BOS/EOS/padding in most vocabularies).
std::vector<std::vector<rt::TokenId>> syntheticPrompts(const BenchOptions &o, int vocab,
                                                       uint64_t seed) {
  std::mt19937_64 rng(seed);
  int low = std::min(3, vocab - 1);
  std::uniform_int_distribution<rt::TokenId> token(low, vocab - 1);
  std::vector<rt::TokenId> prefix(o.sharedPrefix);
  for (rt::TokenId &t : prefix)
    t = token(rng);
  std::vector<std::vector<rt::TokenId>> prompts(o.numRequests, prefix);
  for (auto &prompt : prompts)
    while (static_cast<int>(prompt.size()) < o.inputLen)
      prompt.push_back(token(rng));
  return prompts;
}

std::optional<std::string> checkOptions(const BenchOptions &o) {
  if (o.serving.model.path.empty())
    return "missing --model DIR|CONFIG.json";
  if (o.numRequests < 1 || o.inputLen < 1 || o.outputLen < 1 || o.concurrency < 1)
    return "--num-requests, --input-len, --output-len and --concurrency are required";
  if (o.sharedPrefix > o.inputLen)
    return fmt::format("--shared-prefix {} is longer than --input-len {}", o.sharedPrefix,
                       o.inputLen);
  if (o.serving.model.path.ends_with(".json") && !o.serving.model.randomWeights)
    return fmt::format("{} is a config without weights: add --random-weights",
                       o.serving.model.path);
  return std::nullopt;
}

} // namespace

int runBench(Arguments args) {
  BenchOptions o;
  o.serving.sampling.temperature = 0.0f;
  std::vector<OptionSpec> specs = servingOptionSpecs(o.serving, o.ignoreEos);
  specs.push_back(flagOption("random-weights", o.serving.model.randomWeights));
  specs.push_back(intOption("num-requests", o.numRequests, 1, 1 << 24));
  specs.push_back(intOption("input-len", o.inputLen, 1, 1 << 20));
  specs.push_back(intOption("output-len", o.outputLen, 1, 1 << 20));
  specs.push_back(intOption("concurrency", o.concurrency, 1, 1 << 20));
  specs.push_back(intOption("shared-prefix", o.sharedPrefix, 0, 1 << 20));
  specs.push_back(stringOption("json", "FILE", o.jsonPath));
  if (std::optional<int> exitCode = parseCommandLine(kCommand, args, specs, usage(specs)))
    return *exitCode;
  if (auto error = checkOptions(o))
    return failCommand(kCommand, *error, usage(specs));

  auto progress = [](const std::string &line) { fmt::print(stderr, "[loom-run] {}\n", line); };
  auto model = loadServingModel(o.serving.model, progress);
  if (!model.isOk())
    return failCommand(kCommand, model.status().toString());
  auto engine = rt::Engine::create((*model)->engineConfig(), (*model)->runner());
  if (!engine.isOk())
    return failCommand(kCommand, engine.status().toString());

  rt::SamplingParams params = o.serving.sampling;
  params.maxTokens = o.outputLen;
  params.ignoreEos = true;
  params.seed = o.serving.seed;
  auto prompts = syntheticPrompts(o, static_cast<int>((*model)->config().vocabSize),
                                  o.serving.seed.value_or(0));
  progress(fmt::format("{} requests of {} + {} tokens, {} in flight, shared prefix {}",
                       o.numRequests, o.inputLen, o.outputLen, o.concurrency, o.sharedPrefix));

  std::vector<std::shared_ptr<const rt::Sequence>> requests;
  size_t inFlight = 0;
  double start = rt::steadyClockSeconds();
  auto admit = [&] {
    while (inFlight < static_cast<size_t>(o.concurrency) && requests.size() < prompts.size()) {
      auto seq = (*engine)->addRequest(prompts[requests.size()], params);
      requests.push_back(seq);
      if (!seq->error().isOk())
        fmt::print(stderr, "loom-run bench: request {}: {}\n", seq->id(), seq->error().toString());
      else
        ++inFlight;
    }
  };
  admit();
  while ((*engine)->hasUnfinished()) {
    auto finished = (*engine)->step();
    if (!finished.isOk())
      return failCommand(kCommand, finished.status().toString());
    inFlight -= finished->size();
    admit();
  }
  double seconds = rt::steadyClockSeconds() - start;

  std::vector<rt::RequestMetrics> metrics;
  for (const auto &seq : requests)
    metrics.push_back(seq->metrics());
  BenchReport report = BenchReport::from(metrics, seconds, (*engine)->stats());
  report.workload = {{"model", o.serving.model.path},    {"backend", o.serving.model.backend},
                     {"random_weights", o.serving.model.randomWeights},
                     {"num_requests", o.numRequests},    {"input_len", o.inputLen},
                     {"output_len", o.outputLen},        {"concurrency", o.concurrency},
                     {"shared_prefix", o.sharedPrefix},  {"max_seqs", o.serving.model.limits.maxSeqs},
                     {"max_batched_tokens", o.serving.model.limits.maxBatchedTokens}};
  report.backend = (*model)->backendStats();
  fmt::print("{}", report.table());
  if (o.jsonPath == "-")
    fmt::print("{}\n", report.json().dump(2));
  else if (!o.jsonPath.empty())
    if (Status written = writeFileAtomic(o.jsonPath, report.json().dump(2) + "\n"); !written.isOk())
      return failCommand(kCommand, written.toString());
  return report.failed == 0 ? 0 : 1;
}

} // namespace loom::tools

// The shared option table of generate and bench.
#include "tools/loom-run/RequestOptions.h"

#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace loom::tools {

bool timelineRequestedByEnvironment() {
  const char *setting = std::getenv("LOOM_TIMELINE");
  return setting && std::string_view(setting) == "1";
}

std::vector<OptionSpec> servingOptionSpecs(ServingOptions &options, bool &ignoreEos) {
  ServingLimits &limits = options.model.limits;
  rt::SamplingParams &sampling = options.sampling;
  return {
      stringOption("model", "DIR", options.model.path),
      choiceOption("backend", options.model.backend, {"cpu", "gpu"}),
      choiceOption("dtype", options.model.dtype, {"auto", "bf16", "f16", "f32"}),
      intOption("max-seqs", limits.maxSeqs, 1, 4096),
      intOption("max-batched-tokens", limits.maxBatchedTokens, 1, 1 << 20),
      intOption("max-model-len", limits.maxModelLen, 1, 1 << 20),
      intOption("num-blocks", limits.numBlocks, 1, 1 << 24),
      intOption("block-size", limits.blockSize, 1, 1024),
      floatOption("temperature", sampling.temperature, 0.0f, 100.0f),
      intOption("top-k", sampling.topK, 0, 1 << 24),
      floatOption("top-p", sampling.topP, 1e-6f, 1.0f),
      floatOption("min-p", sampling.minP, 0.0f, 1.0f),
      floatOption("repetition-penalty", sampling.repetitionPenalty, 1e-3f, 100.0f),
      uint64Option("seed", options.seed),
      flagOption("ignore-eos", ignoreEos),
      flagOption("batch-invariant", limits.batchInvariant),
      stringOption("trace", "FILE.json", options.tracePath),
  };
}

std::optional<int> parseCommandLine(std::string_view command, Arguments args,
                                    const std::vector<OptionSpec> &specs, const std::string &usage) {
  for (std::string_view arg : args)
    if (arg == "--help" || arg == "-h") {
      fmt::print("{}", usage);
      return 0;
    }
  if (auto error = parseOptions(args, specs))
    return failCommand(command, *error, usage);
  return std::nullopt;
}

int failCommand(std::string_view command, std::string_view message, std::string_view usage) {
  fmt::print(stderr, "loom-run {}: {}\n", command, message);
  if (!usage.empty())
    fmt::print(stderr, "{}", usage);
  return 1;
}

} // namespace loom::tools

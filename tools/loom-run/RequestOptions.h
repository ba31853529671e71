// The options generate and bench share: the model, backend, engine limits and sampling.
#pragma once

#include "runtime/Engine/SamplingParams.h"
#include "tools/loom-run/OptionParser.h"
#include "tools/loom-run/ServingModel.h"

namespace loom::tools {

struct ServingOptions {
  ModelRequest model;
  rt::SamplingParams sampling;
  std::optional<uint64_t> seed;
  std::string tracePath; ///< --trace FILE.json: a Perfetto trace of the run (TraceSession.h)
};

/// --model, --backend, --max-seqs, --max-batched-tokens, --max-model-len, --num-blocks,
/// --block-size, --temperature, --top-k, --top-p, --min-p, --repetition-penalty, --seed,
/// --ignore-eos, --trace.
std::vector<OptionSpec> servingOptionSpecs(ServingOptions &options, bool &ignoreEos);

/// True when loom-run's environment has LOOM_TIMELINE=1: the gpu model of every command is loaded
/// with every kernel instrumented for the GPU timeline, as bench --timeline asks (read where the
/// executor is created, ServingModelGpu.cpp; docs/profiling.md).
bool timelineRequestedByEnvironment();

/// --help/-h: prints `usage` and returns 0; a parse error: reports it with the usage and
/// returns 1; nothing when the arguments parsed (then run the command).
std::optional<int> parseCommandLine(std::string_view command, Arguments args,
                                    const std::vector<OptionSpec> &specs, const std::string &usage);

/// Prints "loom-run <command>: <message>" (and the usage when given) to stderr; returns 1.
int failCommand(std::string_view command, std::string_view message, std::string_view usage = {});

} // namespace loom::tools

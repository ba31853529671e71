// The subcommands of loom-run: each takes the arguments after its name and returns the exit code.
#pragma once

#include <span>
#include <string_view>

namespace loom::tools {

using Arguments = std::span<const std::string_view>;

/// `loom-run tokenize --model DIR [--no-special] [--decode] TEXT`
int runTokenize(Arguments args);
/// `loom-run generate --model DIR (--prompt TEXT ... | --prompts-file F) [options]`
int runGenerate(Arguments args);
/// `loom-run bench --model DIR|CONFIG.json --num-requests N --input-len I --output-len O
/// --concurrency C [options]`
int runBench(Arguments args);
/// `loom-run logits --model DIR --ids "[1, 2, 3]" [--greedy N] [--backend cpu|gpu] --json OUT`
int runLogits(Arguments args);
/// `loom-run serve --model DIR|FILE.gguf [--host H] [--port P] [options]`
int runServe(Arguments args);

/// One row of loom-run's command table.
struct Subcommand {
  std::string_view name;
  std::string_view usage;
  std::string_view summary;
  int (*run)(Arguments args);
};

/// All subcommands.
std::span<const Subcommand> subcommands();

} // namespace loom::tools

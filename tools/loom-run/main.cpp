// loom-run: run models from the command line — a table of subcommands.
#include "tools/loom-run/Commands.h"

#include <fmt/format.h>

#include <array>
#include <cstdio>
#include <string_view>
#include <vector>

namespace loom::tools {

std::span<const Subcommand> subcommands() {
  static constexpr std::array<Subcommand, 5> kCommands = {{
      {"tokenize", "tokenize --model DIR|FILE.gguf [--no-special] [--decode] TEXT",
       "print the token ids of TEXT as a JSON array; --decode: TEXT is a JSON array of ids, "
       "print its text; --no-special: add no BOS (encode), drop special tokens (decode)",
       runTokenize},
      {"generate",
       "generate --model DIR (--prompt TEXT ... | --prompts-file F) [--max-tokens N] "
       "[--temperature T --top-k K --top-p P --min-p M --seed S] [--backend cpu|gpu] [--chat] "
       "[--batch-invariant] [--trace FILE.json]",
       "continue each prompt, streaming the text to stdout in prompt order (greedy by default)",
       runGenerate},
      {"bench",
       "bench --model DIR|CONFIG.json [--random-weights] --num-requests N --input-len I "
       "--output-len O --concurrency C [--shared-prefix L] [--json FILE] [--backend cpu|gpu] "
       "[--batch-invariant] [--trace FILE.json] [--profile]",
       "serve a synthetic workload; print throughput, TTFT/ITL percentiles, KV use and "
       "prefix-cache hit rate as a table (and JSON)",
       runBench},
      {"logits",
       "logits --model DIR --ids \"[1, 2, 3]\" [--greedy N [--step-logits]] [--backend cpu|gpu] "
       "[--trace FILE.json] --json OUT|-",
       "prefill the token ids; write the last position's logits (f32) and, with --greedy N, the "
       "first N greedy tokens (no EOS stop; --step-logits: the logits of every token's step) as "
       "JSON; needs no tokenizer",
       runLogits},
      {"serve",
       "serve --model DIR|FILE.gguf [--host 127.0.0.1] [--port 8000] [--backend cpu|gpu] "
       "[--max-body-bytes N] [--chat-template chatml|llama3] [options]",
       "an OpenAI-compatible HTTP server: /v1/completions, /v1/chat/completions (streamed by "
       "SSE or whole), /v1/models, /health, /metrics; SIGINT/SIGTERM drain, then exit 0",
       runServe},
  }};
  return kCommands;
}

} // namespace loom::tools

namespace {

void printUsage(std::FILE *stream) {
  fmt::print(stream, "usage: loom-run COMMAND [ARGS]\n\ncommands:\n");
  for (const loom::tools::Subcommand &command : loom::tools::subcommands())
    fmt::print(stream, "  {}\n      {}\n", command.usage, command.summary);
}

} // namespace

int main(int argc, char **argv) {
  if (argc < 2) {
    printUsage(stderr);
    return 1;
  }
  std::string_view name = argv[1];
  if (name == "--help" || name == "-h" || name == "help") {
    printUsage(stdout);
    return 0;
  }
  std::vector<std::string_view> args(argv + 2, argv + argc);
  for (const loom::tools::Subcommand &command : loom::tools::subcommands())
    if (command.name == name)
      return command.run(args);
  fmt::print(stderr, "loom-run: unknown command '{}'\n\n", name);
  printUsage(stderr);
  return 1;
}

// loom-bench: times Loom's device-library kernels against cuBLAS and the copy roofline measured
// in the same run; prints a table and optionally JSON. Cases come from the BenchCase registry.
//   loom-bench [--list] [--filter TEXT] [--json FILE] [--warmup N] [--repeat N]
#include "tools/loom-bench/BenchCase.h"
#include "tools/loom-bench/Report.h"

#include <fmt/format.h>

#include <charconv>
#include <string>
#include <string_view>

namespace {

using namespace loom;
using namespace loom::bench;

constexpr const char *kUsage =
    "usage: loom-bench [--list] [--filter TEXT] [--json FILE] [--warmup N] [--repeat N]\n"
    "  --filter TEXT  run only cases whose family/name contains TEXT (repeatable)\n";

struct Command {
  bool list = false;
  std::vector<std::string> filters;
  std::string jsonPath;
  BenchOptions options;
};

StatusOr<int> parseCount(std::string_view flag, std::string_view text) {
  int value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < 0)
    return Status(StatusCode::kInvalidArgument,
                  fmt::format("{} needs a non-negative integer, got '{}'", flag, text));
  return value;
}

StatusOr<Command> parseCommand(int argc, char **argv) {
  Command command;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    auto next = [&]() -> StatusOr<std::string_view> {
      if (i + 1 >= argc)
        return Status(StatusCode::kInvalidArgument, fmt::format("{} needs a value", arg));
      return std::string_view(argv[++i]);
    };
    if (arg == "--list") {
      command.list = true;
    } else if (arg == "--filter") {
      LOOM_ASSIGN_OR_RETURN(std::string_view value, next());
      command.filters.emplace_back(value);
    } else if (arg == "--json") {
      LOOM_ASSIGN_OR_RETURN(std::string_view value, next());
      command.jsonPath = value;
    } else if (arg == "--warmup") {
      LOOM_ASSIGN_OR_RETURN(std::string_view value, next());
      LOOM_ASSIGN_OR_RETURN(command.options.warmup, parseCount(arg, value));
    } else if (arg == "--repeat") {
      LOOM_ASSIGN_OR_RETURN(std::string_view value, next());
      LOOM_ASSIGN_OR_RETURN(command.options.repeats, parseCount(arg, value));
    } else {
      return Status(StatusCode::kInvalidArgument, fmt::format("unknown argument '{}'", arg));
    }
  }
  return command;
}

bool selected(const BenchCase &benchCase, const std::vector<std::string> &filters) {
  if (filters.empty())
    return true;
  std::string id = fmt::format("{}/{}", benchCase.family, benchCase.name);
  for (const std::string &filter : filters)
    if (id.find(filter) != std::string::npos)
      return true;
  return false;
}

} // namespace

int main(int argc, char **argv) {
  StatusOr<Command> command = parseCommand(argc, argv);
  if (!command.isOk()) {
    fmt::print(stderr, "loom-bench: {}\n{}", command.status().message(), kUsage);
    return 2;
  }
  std::vector<BenchCase> cases;
  for (const BenchCase &benchCase : registeredBenchCases())
    if (selected(benchCase, command->filters))
      cases.push_back(benchCase);
  if (command->list) {
    for (const BenchCase &benchCase : cases)
      fmt::print("{}/{}: {}\n", benchCase.family, benchCase.name, benchCase.description);
    return 0;
  }

  StatusOr<std::unique_ptr<BenchSession>> session = BenchSession::create(command->options);
  if (!session.isOk()) {
    fmt::print(stderr, "loom-bench: cannot benchmark: {}\n", session.status().toString());
    return 1;
  }
  int failures = 0;
  for (const BenchCase &benchCase : cases) {
    fmt::print(stderr, "loom-bench: {}/{} ...\n", benchCase.family, benchCase.name);
    Status status = benchCase.run(**session);
    if (!status.isOk()) {
      ++failures;
      fmt::print(stderr, "loom-bench: {}/{} failed: {}\n", benchCase.family, benchCase.name,
                 status.toString());
    }
  }
  printTable(stdout, **session);
  if (!command->jsonPath.empty()) {
    if (Status written = writeJson(command->jsonPath, **session); !written.isOk()) {
      fmt::print(stderr, "loom-bench: {}\n", written.toString());
      return 1;
    }
  }
  return failures == 0 ? 0 : 1;
}

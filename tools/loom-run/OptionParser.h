// OptionParser: loom-run's options as a table of names, value kinds and destinations.
#pragma once

#include "tools/loom-run/Commands.h"

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace loom::tools {

/// One `--name [VALUE]` option. `apply` stores the value (or records a flag) and returns an
/// error message for a bad value. A repeatable option may be given several times.
struct OptionSpec {
  std::string_view name; ///< without the leading "--"
  std::string_view valueName; ///< e.g. "N"; empty for a flag
  std::function<std::optional<std::string>(std::string_view value)> apply;
  bool repeatable = false;
};

/// Parses `--name VALUE`, `--name=VALUE` and `--flag`; positional arguments are errors.
/// Returns an error message naming the option, or nothing.
std::optional<std::string> parseOptions(Arguments args, const std::vector<OptionSpec> &specs);

/// The usage lines of `specs`: "  --name VALUE".
std::string optionsUsage(const std::vector<OptionSpec> &specs);

/// Destinations with range checks; messages name the option and the range.
OptionSpec intOption(std::string_view name, int &target, int min, int max);
OptionSpec floatOption(std::string_view name, float &target, float min, float max);
OptionSpec uint64Option(std::string_view name, std::optional<uint64_t> &target);
OptionSpec stringOption(std::string_view name, std::string_view valueName, std::string &target);
OptionSpec stringListOption(std::string_view name, std::string_view valueName,
                            std::vector<std::string> &target);
OptionSpec flagOption(std::string_view name, bool &target);
/// One of `choices` (e.g. "cpu", "gpu").
OptionSpec choiceOption(std::string_view name, std::string &target,
                        std::vector<std::string> choices);

} // namespace loom::tools

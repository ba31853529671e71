// OptionParser: table-driven parsing with range-checked destinations.
#include "tools/loom-run/OptionParser.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>

namespace loom::tools {

std::optional<std::string> parseOptions(Arguments args, const std::vector<OptionSpec> &specs) {
  std::set<std::string_view> seen;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (!arg.starts_with("--"))
      return fmt::format("unexpected argument '{}' (options start with --)", arg);
    std::string_view name = arg.substr(2);
    std::optional<std::string_view> value;
    if (size_t eq = name.find('='); eq != std::string_view::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    auto spec = std::find_if(specs.begin(), specs.end(),
                             [&](const OptionSpec &s) { return s.name == name; });
    if (spec == specs.end())
      return fmt::format("unknown option '--{}'", name);
    if (!spec->repeatable && !seen.insert(spec->name).second)
      return fmt::format("--{} given twice", name);
    if (spec->valueName.empty()) {
      if (value)
        return fmt::format("--{} takes no value", name);
      value = "";
    } else if (!value) {
      if (++i == args.size())
        return fmt::format("--{} needs a value {}", name, spec->valueName);
      value = args[i];
    }
    if (std::optional<std::string> error = spec->apply(*value))
      return fmt::format("--{}: {}", name, *error);
  }
  return std::nullopt;
}

std::string optionsUsage(const std::vector<OptionSpec> &specs) {
  std::string usage;
  for (const OptionSpec &spec : specs)
    usage += fmt::format("  --{}{}{}\n", spec.name, spec.valueName.empty() ? "" : " ",
                         spec.valueName);
  return usage;
}

OptionSpec intOption(std::string_view name, int &target, int min, int max) {
  return {name, "N", [&target, min, max](std::string_view text) -> std::optional<std::string> {
            int value = 0;
            auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
            if (error != std::errc() || end != text.data() + text.size())
              return fmt::format("'{}' is not an integer", text);
            if (value < min || value > max)
              return fmt::format("{} is outside [{}, {}]", value, min, max);
            target = value;
            return std::nullopt;
          }};
}

OptionSpec floatOption(std::string_view name, float &target, float min, float max) {
  return {name, "X", [&target, min, max](std::string_view text) -> std::optional<std::string> {
            std::string copy(text);
            char *end = nullptr;
            float value = std::strtof(copy.c_str(), &end);
            if (copy.empty() || end != copy.c_str() + copy.size() || !std::isfinite(value))
              return fmt::format("'{}' is not a number", text);
            if (value < min || value > max)
              return fmt::format("{} is outside [{}, {}]", value, min, max);
            target = value;
            return std::nullopt;
          }};
}

OptionSpec uint64Option(std::string_view name, std::optional<uint64_t> &target) {
  return {name, "N", [&target](std::string_view text) -> std::optional<std::string> {
            uint64_t value = 0;
            auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
            if (error != std::errc() || end != text.data() + text.size())
              return fmt::format("'{}' is not a non-negative integer", text);
            target = value;
            return std::nullopt;
          }};
}

OptionSpec stringOption(std::string_view name, std::string_view valueName, std::string &target) {
  return {name, valueName, [&target](std::string_view text) -> std::optional<std::string> {
            if (text.empty())
              return "the value is empty";
            target = std::string(text);
            return std::nullopt;
          }};
}

OptionSpec stringListOption(std::string_view name, std::string_view valueName,
                            std::vector<std::string> &target) {
  OptionSpec spec{name, valueName, [&target](std::string_view text) -> std::optional<std::string> {
                    target.emplace_back(text);
                    return std::nullopt;
                  }};
  spec.repeatable = true;
  return spec;
}

OptionSpec flagOption(std::string_view name, bool &target) {
  return {name, "", [&target](std::string_view) -> std::optional<std::string> {
            target = true;
            return std::nullopt;
          }};
}

OptionSpec choiceOption(std::string_view name, std::string &target,
                        std::vector<std::string> choices) {
  std::string valueName = fmt::format("{}", fmt::join(choices, "|"));
  return {name, "CHOICE",
          [&target, choices](std::string_view text) -> std::optional<std::string> {
            if (std::find(choices.begin(), choices.end(), text) == choices.end())
              return fmt::format("'{}' is not one of {}", text, fmt::join(choices, ", "));
            target = std::string(text);
            return std::nullopt;
          }};
}

} // namespace loom::tools

// loom-run tokenize: text → token ids as a JSON array, or ids → text with --decode.
#include "tools/loom-run/Commands.h"

#include "frontend/Readers/Tokenizer.h"
#include "tools/loom-run/ModelFiles.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace loom::tools {
namespace {

constexpr std::string_view kUsage =
    "usage: loom-run tokenize --model DIR|FILE.gguf [--no-special] [--decode] TEXT\n";

struct TokenizeOptions {
  std::string model;
  std::optional<std::string> text;
  bool addSpecialTokens = true;
  bool decode = false;
};

int fail(std::string_view message) {
  fmt::print(stderr, "loom-run tokenize: {}\n", message);
  return 1;
}

/// Parses the arguments; returns an error message, or nothing when they are valid.
std::optional<std::string> parse(Arguments args, TokenizeOptions &options) {
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (arg == "--model") {
      if (++i == args.size())
        return "--model needs a folder or tokenizer.json path";
      options.model = args[i];
    } else if (arg.rfind("--model=", 0) == 0) {
      options.model = arg.substr(8);
    } else if (arg == "--no-special") {
      options.addSpecialTokens = false;
    } else if (arg == "--decode") {
      options.decode = true;
    } else if (arg.rfind("--", 0) == 0) {
      return fmt::format("unknown option '{}'", arg);
    } else if (options.text) {
      return "give the text as one argument (quote it)";
    } else {
      options.text = std::string(arg);
    }
  }
  if (options.model.empty())
    return "missing --model DIR";
  if (!options.text)
    return "missing TEXT";
  return std::nullopt;
}

/// "[1, 403, 407]" → ids, or an error message.
std::optional<std::string> parseIds(const std::string &text, std::vector<int32_t> &ids) {
  nlohmann::json json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!json.is_array())
    return fmt::format("--decode expects a JSON array of token ids, got '{}'", text);
  for (const nlohmann::json &item : json) {
    if (!item.is_number_integer() || item.get<int64_t>() < 0 ||
        item.get<int64_t>() > INT32_MAX)
      return fmt::format("--decode expects non-negative integer ids, got {}", item.dump());
    ids.push_back(static_cast<int32_t>(item.get<int64_t>()));
  }
  return std::nullopt;
}

/// The tokenizer of a model folder or tokenizer.json, or of a GGUF file's metadata (as generate
/// reads it: openModelFiles).
StatusOr<frontend::Tokenizer> openTokenizer(const std::string &model) {
  if (!model.ends_with(".gguf"))
    return frontend::Tokenizer::open(model);
  LOOM_ASSIGN_OR_RETURN(std::unique_ptr<ModelFiles> files,
                        openModelFiles(model, /*withWeights=*/false));
  return std::move(*files->tokenizer);
}

} // namespace

int runTokenize(Arguments args) {
  for (std::string_view arg : args)
    if (arg == "--help" || arg == "-h") {
      fmt::print("{}", kUsage);
      return 0;
    }
  TokenizeOptions options;
  if (std::optional<std::string> error = parse(args, options))
    return fail(fmt::format("{}\n{}", *error, kUsage));

  auto tokenizer = openTokenizer(options.model);
  if (!tokenizer.isOk())
    return fail(tokenizer.status().toString());

  if (options.decode) {
    std::vector<int32_t> ids;
    if (std::optional<std::string> error = parseIds(*options.text, ids))
      return fail(*error);
    auto text = tokenizer->decode(ids, /*skipSpecialTokens=*/!options.addSpecialTokens);
    if (!text.isOk())
      return fail(text.status().toString());
    fmt::print("{}\n", *text);
    return 0;
  }
  auto ids = tokenizer->encode(*options.text, options.addSpecialTokens);
  if (!ids.isOk())
    return fail(ids.status().toString());
  fmt::print("[{}]\n", fmt::join(*ids, ", "));
  return 0;
}

} // namespace loom::tools

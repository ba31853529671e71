// LaunchGuard: parsing of a program entry's `when` into comparisons of dim expressions, and
// their evaluation for a step's dims.
#include "runtime/Package/LaunchGuard.h"

#include <algorithm>
#include <fmt/format.h>
#include <set>
#include <utility>

namespace loom::rt {

namespace {

using Compare = LaunchGuard::Compare;

/// Comparison operators, two-character ones first so "<=" is not read as "<".
constexpr std::pair<std::string_view, Compare> kOperators[] = {
    {"==", Compare::kEq}, {"!=", Compare::kNe}, {"<=", Compare::kLe},
    {">=", Compare::kGe}, {"<", Compare::kLt},  {">", Compare::kGt}};

/// Guard words and the comparison each stands for.
constexpr std::pair<std::string_view, std::string_view> kWords[] = {
    {"decode", "tokens == seqs"}, {"prefill", "tokens != seqs"}};

constexpr std::string_view kAnd = "&&";

std::string_view trim(std::string_view text) {
  size_t first = text.find_first_not_of(" \t\n");
  if (first == std::string_view::npos)
    return {};
  return text.substr(first, text.find_last_not_of(" \t\n") - first + 1);
}

bool compare(int64_t lhs, Compare op, int64_t rhs) {
  switch (op) {
  case Compare::kEq: return lhs == rhs;
  case Compare::kNe: return lhs != rhs;
  case Compare::kLt: return lhs < rhs;
  case Compare::kLe: return lhs <= rhs;
  case Compare::kGt: return lhs > rhs;
  case Compare::kGe: return lhs >= rhs;
  }
  return false;
}

/// One `lhs op rhs` term (or a guard word).
StatusOr<LaunchGuard::Comparison> parseComparison(std::string_view guard, std::string_view term) {
  for (auto [word, meaning] : kWords)
    if (term == word)
      term = meaning;
  // Expressions never contain = ! < >, so the first of them starts the operator.
  size_t at = term.find_first_of("=!<>");
  const auto *op = at == std::string_view::npos
                       ? std::end(kOperators)
                       : std::find_if(std::begin(kOperators), std::end(kOperators),
                                      [&](auto entry) { return term.substr(at).starts_with(entry.first); });
  if (op == std::end(kOperators))
    return LOOM_ERROR(StatusCode::kInvalidArgument,
                      fmt::format("launch guard '{}': '{}' is not a comparison (expected 'decode', "
                                  "'prefill' or <expr> ==|!=|<|<=|>|>= <expr>)",
                                  guard, term));
  auto lhs = DimExpr::parse(trim(term.substr(0, at)));
  auto rhs = DimExpr::parse(trim(term.substr(at + op->first.size())));
  for (const auto *side : {&lhs, &rhs})
    if (!side->isOk())
      return LOOM_ERROR(StatusCode::kInvalidArgument,
                        fmt::format("launch guard '{}': {}", guard, side->status().message()));
  return LaunchGuard::Comparison{*lhs, *rhs, op->second};
}

} // namespace

StatusOr<LaunchGuard> LaunchGuard::parse(std::string_view text) {
  LaunchGuard guard;
  guard.text_ = std::string(trim(text));
  if (guard.text_.empty())
    return LOOM_ERROR(StatusCode::kInvalidArgument,
                      "launch guard is empty (leave 'when' out to launch on every step)");
  std::string_view rest = guard.text_;
  while (true) {
    size_t split = rest.find(kAnd);
    LOOM_ASSIGN_OR_RETURN(auto comparison, parseComparison(guard.text_, trim(rest.substr(0, split))));
    guard.comparisons_.push_back(std::move(comparison));
    if (split == std::string_view::npos)
      break;
    rest = rest.substr(split + kAnd.size());
  }
  return guard;
}

bool LaunchGuard::holds(const DimValues &dims) const {
  for (const Comparison &term : comparisons_) {
    auto lhs = term.lhs.evaluate(dims), rhs = term.rhs.evaluate(dims);
    if (!lhs.isOk() || !rhs.isOk() || !compare(*lhs, term.compare, *rhs))
      return false;
  }
  return true;
}

std::vector<std::string> LaunchGuard::dimNames() const {
  std::set<std::string> names;
  for (const Comparison &term : comparisons_)
    for (const DimExpr *side : {&term.lhs, &term.rhs})
      for (std::string &name : side->dimNames())
        names.insert(std::move(name));
  return {names.begin(), names.end()};
}

bool isDecodeStep(const DimValues &dims) {
  auto tokens = dims.find("tokens"), seqs = dims.find("seqs");
  return tokens != dims.end() && seqs != dims.end() && tokens->second == seqs->second;
}

} // namespace loom::rt

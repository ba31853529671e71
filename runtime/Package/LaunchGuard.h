// LaunchGuard: the condition on a step's dims under which a program entry of a package launches.
#pragma once

#include "runtime/Package/DimExpr.h"

#include <string>
#include <string_view>
#include <vector>

namespace loom::rt {

/// A program entry's `when` (docs/package.md "program"): comparisons of dim expressions joined
/// by `&&`, e.g. "tokens <= 16" or "tokens == seqs && seqs > 8"; comparisons are == != < <= > >=.
/// The words "decode" (tokens == seqs: every sequence computes one token) and "prefill"
/// (tokens != seqs) stand for their comparison. The empty guard holds on every step.
class LaunchGuard {
public:
  /// The guard of a plain program entry: launches on every step.
  static LaunchGuard always() { return LaunchGuard(); }
  /// kInvalidArgument naming the text and what is wrong (no comparison, a bad expression).
  static StatusOr<LaunchGuard> parse(std::string_view text);

  /// Whether a step with `dims` launches the entry; false when `dims` lacks a dim it reads.
  bool holds(const DimValues &dims) const;
  /// The dims the guard reads (sorted, unique).
  std::vector<std::string> dimNames() const;
  /// The text as written; "always" for the empty guard.
  const std::string &text() const { return text_; }
  bool isAlways() const { return comparisons_.empty(); }

  bool operator==(const LaunchGuard &other) const { return text_ == other.text_; }

  enum class Compare { kEq, kNe, kLt, kLe, kGt, kGe };
  struct Comparison {
    DimExpr lhs, rhs;
    Compare compare;
  };

private:
  LaunchGuard() : text_("always") {}
  std::string text_;
  std::vector<Comparison> comparisons_;
};

/// The guard's text ("always", "decode", "tokens <= 16", ...).
inline const char *launchGuardName(const LaunchGuard &guard) { return guard.text().c_str(); }

/// Whether a step with `dims` is decode-only: it has "tokens" and "seqs" and they are equal
/// (the forward-step contract gives every sequence of a step at least one token).
bool isDecodeStep(const DimValues &dims);

} // namespace loom::rt

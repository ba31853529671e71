// DimExpr: the little expression language of package manifests (grids, shapes) over named dims.
#pragma once

#include "runtime/Support/Status.h"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace loom::rt {

/// Values of the named dynamic dimensions for one step, e.g. {"tokens": 37, "seqs": 4}.
using DimValues = std::map<std::string, int64_t, std::less<>>;

/// A parsed expression: integers, dim names, + - *, ceildiv(a, b), min(a, b), max(a, b), ( ).
class DimExpr {
public:
  /// kInvalidArgument naming the text and the position of the first error.
  static StatusOr<DimExpr> parse(std::string_view text);
  /// A constant expression.
  static DimExpr constant(int64_t value);

  /// kInvalidArgument when a dim is unknown or ceildiv divides by zero.
  StatusOr<int64_t> evaluate(const DimValues &dims) const;
  /// The dims the expression reads (sorted, unique).
  std::vector<std::string> dimNames() const;
  const std::string &text() const { return text_; }

  struct Node;

private:
  DimExpr(std::string text, std::shared_ptr<const Node> root)
      : text_(std::move(text)), root_(std::move(root)) {}
  std::string text_;
  std::shared_ptr<const Node> root_;
};

} // namespace loom::rt

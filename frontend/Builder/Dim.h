// One dimension of a DSL input: a static extent, or a named dynamic one with an optional bound.
#pragma once

#include "mlir/IR/BuiltinTypes.h"

#include <cstdint>
#include <optional>
#include <string>

namespace loom {

/// A dimension of `Builder::input`. `4096` converts implicitly to a static Dim;
/// `Dim::dynamic("tokens", 8192)` is a dynamic one named "tokens" of at most 8192.
/// The names become the argument's `loom.dims`, the bounds the function's `loom.max_<name>`.
struct Dim {
  /// A static extent.
  Dim(int64_t extent) : extent(extent), name(std::to_string(extent)) {}

  /// A dynamic extent called `name` (e.g. "tokens", "seqs", or an expression such as
  /// "seqs+1"), bounded by `maxExtent` when given. Only plain identifiers take bounds.
  static Dim dynamic(std::string name, std::optional<int64_t> maxExtent = std::nullopt) {
    Dim dim(0);
    dim.extent = mlir::ShapedType::kDynamic;
    dim.name = std::move(name);
    dim.maxExtent = maxExtent;
    return dim;
  }

  bool isDynamic() const { return mlir::ShapedType::isDynamic(extent); }

  int64_t extent;
  std::string name;
  std::optional<int64_t> maxExtent;
};

} // namespace loom

// CallShapes: the step dims of one JIT call, read from its inputs' actual shapes and checked
// against the graph's signature and declared upper bounds before anything touches the device.
#pragma once

#include "frontend/Verify/GraphSignature.h"
#include "runtime/Package/DimExpr.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace loom {

/// Actual shapes of a call's inputs, by input name.
using InputShapes = std::map<std::string, ref::Shape, std::less<>>;

/// A graph's inputs with their extents parsed once, when the graph is compiled; every call's
/// shapes are checked against it.
struct CallSignature {
  struct Input {
    std::string name;
    std::vector<std::string> extentTexts; ///< as declared: "tokens", "seqs+1", "1000"
    std::vector<rt::DimExpr> extents;     ///< the same, parsed
    /// The dim an extent names when it is a plain dim name (bound from the shape), per extent.
    std::vector<std::optional<std::string>> namedDims;
  };
  std::vector<Input> inputs;

  /// Parses the extents of `signature`'s arguments; kInvalidArgument naming the input whose
  /// extent does not parse.
  static StatusOr<CallSignature> parse(const verify::GraphSignature &signature);
};

/// The dim values of a call: every named extent of the inputs bound from their shapes, every
/// extent (static or an expression such as "seqs+1") checked, and every bound of `maxDims`
/// respected. kInvalidArgument naming the input and the rule it breaks: an unknown input (the
/// message lists the graph's inputs), a missing one, a wrong rank, an extent that disagrees,
/// a dim above its bound ("dim 'tokens' = 5000 (input 'x' dimension 0) exceeds its declared
/// bound 4096"), or a bounded dim no input determines.
StatusOr<rt::DimValues> resolveCallDims(const CallSignature &signature,
                                        const rt::DimValues &maxDims, const InputShapes &shapes);

} // namespace loom

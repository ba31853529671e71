// CallShapes: the step dims of one JIT call, read from its inputs' actual shapes and checked
// against the graph's signature and declared upper bounds before anything touches the device.
#pragma once

#include "frontend/Verify/GraphSignature.h"

#include <map>
#include <string>

namespace loom {

/// Actual shapes of a call's inputs, by input name.
using InputShapes = std::map<std::string, ref::Shape, std::less<>>;

/// The dim values of a call: every named extent of the inputs bound from their shapes, every
/// extent (static or an expression such as "seqs+1") checked, and every bound of `maxDims`
/// respected. kInvalidArgument naming the input and the rule it breaks: an unknown input (the
/// message lists the graph's inputs), a missing one, a wrong rank, an extent that disagrees,
/// a dim above its bound ("dim 'tokens' = 5000 (input 'x' dimension 0) exceeds its declared
/// bound 4096"), or a bounded dim no input determines.
StatusOr<rt::DimValues> resolveCallDims(const verify::GraphSignature &signature,
                                        const rt::DimValues &maxDims, const InputShapes &shapes);

} // namespace loom

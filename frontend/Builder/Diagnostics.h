// Verifier diagnostics collected as text, for the Builder's Status errors.
#pragma once

#include "mlir/IR/Operation.h"

#include <string>

namespace loom {

/// Verifies `op` (and, when `recursive`, the ops nested in it); returns "" when it verifies,
/// otherwise its error diagnostics joined by "; ", each without the "'graph.x' op " prefix of
/// the op it names when that op is `op` itself.
std::string verificationErrors(mlir::Operation *op, bool recursive);

} // namespace loom

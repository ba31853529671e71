// BatchInvariance: one kernel per op at every step shape, so a row reduces in the same order alone,
// in a batch of any size and under any prefill chunking.
#pragma once

#include "mlir/IR/BuiltinOps.h"

namespace loom::tile {

/// Unit attribute on a module made batch-invariant; the package emitter writes
/// "batch_invariant": true into the manifest for it.
inline constexpr llvm::StringLiteral kBatchInvariantAttrName = "loom.batch_invariant";

/// Makes the launch program batch-invariant. Launches guarded "decode" (paged attention's
/// split-KV decode kernel, which merges its splits in-kernel and runs only on decode-only steps,
/// with a split size chosen by the step's sequences) are erased with their kernels,
/// and the "prefill" guard of the launch beside them is dropped, so the prefill kernel computes
/// every step's attention. Row-count variants (GemvVariants.h) must not be added to such a module;
/// the kernel count is left otherwise unchanged. With `explain`, each erased launch gets a remark.
/// The module gets kBatchInvariantAttrName.
void makeBatchInvariant(mlir::ModuleOp module, bool explain);

} // namespace loom::tile

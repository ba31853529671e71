// ReferenceRun: random inputs for a forward function and its outputs from the CPU interpreter.
#pragma once

#include "frontend/Verify/GraphSignature.h"
#include "frontend/Verify/SharedWeights.h"
#include "runtime/Support/ThreadPool.h"

namespace loom::verify {

/// One random tensor per argument for `dims`, seeded per argument name: floats uniform in ±1
/// (never zero), ids in [0, the rows they gather) — or [0, 256) when they gather nothing.
StatusOr<std::vector<ref::HostTensor>> randomInputs(const GraphSignature &signature,
                                                    const rt::DimValues &dims, uint64_t seed);

/// Runs the unfused `function` in the reference interpreter on `inputs` with `weights` (row
/// loops on `pool` when given) and returns its tensor results.
StatusOr<std::vector<ref::HostTensor>> runReference(mlir::func::FuncOp function,
                                                    SharedWeights &weights,
                                                    std::vector<ref::HostTensor> inputs,
                                                    ThreadPool *pool);

} // namespace loom::verify

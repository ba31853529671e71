// The rope + KV-append epilogue of a merged QKV GEMM (loom/epilogue_rope_kv.cuh), for EmitGemm.cpp.
#pragma once

#include "compiler/Target/CUDA/KernelSource.h"

#include <optional>
#include <vector>

namespace loom::cuda {

/// The epilogue expression of a GEMM whose tile.store carries `loom.rope_kv` (graph-to-tile's
/// GemmRopeKvTail.cpp): loom::epi::makeRopeKvAppend<...>(q, positions, ..., parts...), with the
/// header included and the cache pools declared writable; nullopt for any other store; an error
/// on a family whose epilogue is not called with column pairs.
mlir::FailureOr<std::optional<std::string>> ropeKvEpilogue(tile::KernelOp kernel, tile::StoreOp store,
                                                           KernelSource &source,
                                                           const std::vector<std::string> &parts);

} // namespace loom::cuda

// TuningTable: measured tile configurations (TuningTable.json, embedded) that override the
// cost model for a GEMM shape on a target.
#pragma once

#include "compiler/Transforms/Tile/KernelAnalysis.h"

#include <map>

namespace loom::tile {

/// The configuration values the table gives `shape` on `target`, if it has an entry.
std::optional<std::map<std::string, int64_t>> tunedConfig(const KernelShape &shape,
                                                          llvm::StringRef target);

} // namespace loom::tile

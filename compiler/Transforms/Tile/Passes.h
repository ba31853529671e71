// Passes on the tile dialect: tiling and tensor-core lowering.
#pragma once

#include "dialects/Tile/IR/TileDialect.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace loom::tile {

#define GEN_PASS_DECL
#include "compiler/Transforms/Tile/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "compiler/Transforms/Tile/Passes.h.inc"

} // namespace loom::tile

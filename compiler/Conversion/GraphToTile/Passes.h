// The graph -> tile conversion pass.
#pragma once

#include "dialects/Tile/IR/TileDialect.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace loom::conversion {

#define GEN_PASS_DECL
#include "compiler/Conversion/GraphToTile/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "compiler/Conversion/GraphToTile/Passes.h.inc"

} // namespace loom::conversion

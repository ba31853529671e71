// The tile dialect: tile-level GPU kernels.
#pragma once

#include "mlir/IR/Dialect.h"

#include "dialects/Tile/IR/TileDialect.h.inc"

// The graph dialect: tensor-level transformer ops.
#pragma once

#include "mlir/IR/Dialect.h"

#include "dialects/Graph/IR/GraphDialect.h.inc"

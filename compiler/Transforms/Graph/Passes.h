// Graph-level passes of Loom (declarations and registration generated from Passes.td).
#pragma once

#include "dialects/Graph/IR/GraphDialect.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace loom::graph {

#define GEN_PASS_DECL
#include "compiler/Transforms/Graph/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "compiler/Transforms/Graph/Passes.h.inc"

} // namespace loom::graph

// Test helper: parses .mlir text with the graph and func dialects into a module and finds a function.
#pragma once

#include "dialects/Graph/IR/GraphDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace loom::ref::testing {

/// An MLIR context with the graph and func dialects and one parsed module.
struct ParsedModule {
  explicit ParsedModule(const std::string &text) {
    context->loadDialect<graph::GraphDialect, mlir::func::FuncDialect>();
    module = mlir::parseSourceString<mlir::ModuleOp>(text, context.get());
    EXPECT_TRUE(module) << "the test's MLIR does not parse";
  }
  /// The function named `name` (null if absent).
  mlir::func::FuncOp function(const std::string &name = "forward") {
    return module ? module->lookupSymbol<mlir::func::FuncOp>(name) : nullptr;
  }

  std::unique_ptr<mlir::MLIRContext> context = std::make_unique<mlir::MLIRContext>();
  mlir::OwningOpRef<mlir::ModuleOp> module;
};

} // namespace loom::ref::testing

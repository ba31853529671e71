// Helpers of the frontend tests: printed IR, op counts, the shared folder's models.
#pragma once

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

#include <map>
#include <string>

namespace loom::test {

/// `module` as loom-opt prints it.
inline std::string printed(mlir::ModuleOp module) {
  std::string text;
  llvm::raw_string_ostream stream(text);
  module.print(stream);
  return text;
}

/// How many ops of each name `module` holds (the module and function included).
inline std::map<std::string, int> opCounts(mlir::ModuleOp module) {
  std::map<std::string, int> counts;
  module->walk([&](mlir::Operation *op) { ++counts[op->getName().getStringRef().str()]; });
  return counts;
}

/// The single function of `module`.
inline mlir::func::FuncOp onlyFunction(mlir::ModuleOp module) {
  return *module.getOps<mlir::func::FuncOp>().begin();
}

/// `models/<name>` of the shared folder.
inline std::string sharedModel(const std::string &name) {
  return std::string(LOOM_SHARED_DIR) + "/models/" + name;
}

} // namespace loom::test

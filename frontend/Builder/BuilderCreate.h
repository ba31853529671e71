// Builder::create and Builder::build: build one op, verify it at once, erase it when invalid.
#pragma once

#include "frontend/Builder/Builder.h"
#include "frontend/Builder/Diagnostics.h"

namespace loom {

template <typename OpT, typename... Args>
mlir::Operation *Builder::create(llvm::ArrayRef<mlir::Value> operands, Args &&...args) {
  if (!ready(OpT::getOperationName(), operands))
    return nullptr;
  auto op = OpT::create(builder_, location(), std::forward<Args>(args)...);
  std::string reason = verificationErrors(op.getOperation(), /*recursive=*/false);
  if (reason.empty())
    return op.getOperation();
  fail(OpT::getOperationName(), operands, reason);
  op->erase();
  return nullptr;
}

template <typename OpT, typename... Args>
Tensor Builder::build(llvm::ArrayRef<mlir::Value> operands, Args &&...args) {
  mlir::Operation *op = create<OpT>(operands, std::forward<Args>(args)...);
  return op ? Tensor(op->getResult(0)) : Tensor();
}

} // namespace loom

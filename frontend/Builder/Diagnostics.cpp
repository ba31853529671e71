// Runs the MLIR verifier with a diagnostic handler that keeps the messages.
#include "frontend/Builder/Diagnostics.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"

#include <fmt/format.h>

namespace loom {

std::string verificationErrors(mlir::Operation *op, bool recursive) {
  std::string ownPrefix = fmt::format("'{}' op ", op->getName().getStringRef().str());
  std::string errors;
  mlir::ScopedDiagnosticHandler handler(op->getContext(), [&](mlir::Diagnostic &diagnostic) {
    if (diagnostic.getSeverity() != mlir::DiagnosticSeverity::Error)
      return mlir::success();
    std::string message = diagnostic.str();
    if (!recursive && message.starts_with(ownPrefix))
      message.erase(0, ownPrefix.size());
    errors += errors.empty() ? message : "; " + message;
    return mlir::success();
  });
  if (mlir::succeeded(mlir::verify(op, recursive)))
    return "";
  return errors.empty() ? std::string("the verifier rejected it") : errors;
}

} // namespace loom

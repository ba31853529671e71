// MLIR types as text for error messages.
#pragma once

#include "mlir/IR/Types.h"
#include "llvm/Support/raw_ostream.h"

#include <string>

namespace loom {

/// `type` printed as in the IR, e.g. "tensor<?x4096xbf16>".
inline std::string typeText(mlir::Type type) {
  std::string text;
  llvm::raw_string_ostream stream(text);
  type.print(stream);
  return text;
}

} // namespace loom

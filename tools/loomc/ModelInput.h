// ModelInput: `loomc MODEL` — a model folder, config.json or .gguf becomes its forward-step graph.
#pragma once

#include "frontend/Models/ForwardOptions.h"
#include "runtime/Support/Status.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

#include <string>

namespace loom::loomc {

/// True when `path` names a model rather than a .mlir file.
bool isModelInput(const std::string &path);

/// Reads the model's config (config.json, or GGUF metadata) and builds its Llama-family forward
/// step with `options`; a GGUF without options.dtype is built in bf16, as the gpu backend of
/// loom-run stores it (models::compiledStorageDType). Errors name the file or the unsupported
/// field.
StatusOr<mlir::OwningOpRef<mlir::ModuleOp>> buildModelModule(mlir::MLIRContext &context,
                                                             const std::string &path,
                                                             const models::ForwardOptions &options);

} // namespace loom::loomc

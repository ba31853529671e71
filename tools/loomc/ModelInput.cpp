// Building the forward step of a model folder or GGUF file for loomc.
#include "tools/loomc/ModelInput.h"

#include "frontend/Models/LlamaForward.h"
#include "frontend/Readers/GgufConfig.h"
#include "frontend/Readers/GgufFile.h"
#include "frontend/Readers/ModelConfig.h"

#include <filesystem>

namespace loom::loomc {

bool isModelInput(const std::string &path) {
  return std::filesystem::is_directory(path) || path.ends_with(".gguf") ||
         path.ends_with("config.json");
}

StatusOr<mlir::OwningOpRef<mlir::ModuleOp>> buildModelModule(mlir::MLIRContext &context,
                                                             const std::string &path,
                                                             const models::ForwardOptions &options) {
  frontend::ModelConfig config;
  if (path.ends_with(".gguf")) {
    LOOM_ASSIGN_OR_RETURN(frontend::GgufFile file, frontend::GgufFile::open(path));
    LOOM_ASSIGN_OR_RETURN(config, frontend::ggufModelConfig(file));
  } else {
    LOOM_ASSIGN_OR_RETURN(config, frontend::readModelConfig(path));
  }
  models::ForwardOptions forwardOptions = options;
  forwardOptions.dtype = models::compiledStorageDType(options.dtype, path.ends_with(".gguf"));
  LOOM_ASSIGN_OR_RETURN(models::LlamaForward forward,
                        models::buildLlamaForward(context, config, forwardOptions));
  return std::move(forward.module);
}

} // namespace loom::loomc

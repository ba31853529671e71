// ModelFiles: what loom-run reads of a model — a Hugging Face folder (config.json, tokenizer.json,
// tokenizer_config.json, safetensors) or one GGUF file — behind one shape.
#pragma once

#include "frontend/Models/WeightSource.h"
#include "frontend/Readers/ChatTemplate.h"
#include "frontend/Readers/GgufModel.h"
#include "frontend/Readers/ModelConfig.h"
#include "frontend/Readers/Tokenizer.h"

#include <memory>
#include <optional>
#include <string>

namespace loom::tools {

struct ModelFiles {
  frontend::ModelConfig config;
  /// Absent for a bare config.json (random weights, no tokenizer).
  std::optional<frontend::Tokenizer> tokenizer;
  /// The chat format, or `chatError` saying why there is none.
  std::optional<frontend::ChatTemplate> chat;
  Status chatError;
  /// Checkpoint tensors by Hugging Face name; null when weights are not read (random weights).
  std::unique_ptr<models::WeightSource> weights;
  std::unique_ptr<frontend::GgufModel> gguf; ///< owns the GGUF file the weights read
};

/// Opens `path`: a `.gguf` file, a model folder, or a config.json. `withWeights` opens the
/// checkpoint too. Errors name the missing or malformed file.
StatusOr<std::unique_ptr<ModelFiles>> openModelFiles(const std::string &path, bool withWeights);

} // namespace loom::tools

// TextEngine: what generate and serve start from — a model loaded with its tokenizer, the
// --trace session, and an engine over them that detokenizes what it streams.
#pragma once

#include "frontend/Readers/Tokenizer.h"
#include "runtime/Engine/Engine.h"
#include "tools/loom-run/ServingModel.h"
#include "tools/loom-run/TraceSession.h"

#include <memory>
#include <string>
#include <vector>

namespace loom::tools {

/// Members are destroyed engine first, then the trace, then the model each one runs on.
struct TextEngine {
  std::unique_ptr<ServingModel> model;
  std::unique_ptr<TraceSession> trace; ///< null without --trace
  std::unique_ptr<rt::Engine> engine;  ///< on the trace's runner when tracing

  const frontend::Tokenizer &tokenizer() const { return *model->files().tokenizer; }
  /// The model's end-of-sequence ids after the first (the engine stops at the first itself).
  std::vector<rt::TokenId> extraStopTokenIds() const;
};

/// Loads `request`, checks that the model has a tokenizer ("<path> has no tokenizer"), opens the
/// trace session when `tracePath` is set, and creates the engine with the model's engine config.
StatusOr<TextEngine> loadTextEngine(const ModelRequest &request, const std::string &tracePath,
                                    const Progress &progress);

/// Prints a progress line to stderr as "[loom-run] line".
void printProgress(const std::string &line);

} // namespace loom::tools

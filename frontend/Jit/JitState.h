// JitModule::State: what a JitModule owns — its compiled graph, bound weights and device state.
#pragma once

#include "frontend/Jit/JitModule.h"
#include "frontend/Verify/SharedWeights.h"
#include "runtime/CUDA/Stream.h"

namespace loom {

struct JitModule::State {
  std::shared_ptr<const CompiledGraph> compiled;
  bool fromCache = false;
  int device = 0;
  JitCache *cache = nullptr;
  /// Checkpoint tensors for both the interpreter and the package loader; null until bound.
  std::unique_ptr<verify::SharedWeights> weights;
  // Device state, created by load(); destroyed executor first, context last.
  std::shared_ptr<rt::Context> context;
  std::unique_ptr<rt::Stream> stream;
  std::unique_ptr<rt::PackageExecutor> executor;
};

} // namespace loom

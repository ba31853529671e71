// JitModule::State: what a JitModule owns — its compiled graph, bound weights and device state.
#pragma once

#include "frontend/Jit/JitModule.h"
#include "frontend/Verify/SharedWeights.h"
#include "runtime/CUDA/Stream.h"

namespace loom {

struct JitModule::State {
  /// Waits for the calls in flight, so device memory is not freed under them.
  ~State();

  /// Makes `stream` wait (on the device) for the previous call, whatever stream it ran on:
  /// calls share the executor's input, activation and output buffers.
  Status orderAfterLastCall(const rt::Stream &stream) const;
  /// Marks the end of a call's work on `stream`.
  Status recordCall(const rt::Stream &stream);
  /// Waits for the calls in flight, then drops the executor (its device buffers were made from
  /// the bound weights); the next call loads again.
  Status releaseExecutor();

  std::shared_ptr<const CompiledGraph> compiled;
  bool fromCache = false;
  int device = 0;
  JitCache *cache = nullptr;
  /// Checkpoint tensors (copies) for both the interpreter and the package loader; null until
  /// bound.
  std::unique_ptr<verify::SharedWeights> weights;
  // Device state, created by load(); destroyed executor first, context last.
  std::shared_ptr<rt::Context> context;
  std::unique_ptr<rt::Stream> stream;
  std::unique_ptr<rt::Event> lastCall; ///< recorded at the end of every call
  bool callRecorded = false;
  std::unique_ptr<rt::PackageExecutor> executor;
};

} // namespace loom

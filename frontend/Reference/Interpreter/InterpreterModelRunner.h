// The serving engine's model runner on the CPU: each step runs the forward-step function in
// the reference interpreter over a host KV pool.
#pragma once

#include "frontend/Reference/HostKVCache.h"
#include "frontend/Reference/Interpreter/Interpreter.h"
#include "runtime/Engine/ModelRunner.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <memory>
#include <vector>

namespace loom::ref {

/// Runs `@forward` (docs/graph-ops.md: tokens, positions, slots, seq_starts, context_lens,
/// block_tables, logit_rows, kv_cache → logits [B, V] f32, kv_cache) for each ScheduledBatch,
/// then picks each sequence's next token from its logits row with the engine's host sampler
/// (rt::sampleOnHost with rt::SamplerRng::forToken(seed or 0, numOutputTokens()) and the
/// sequence's tokens as history), exactly as rt::ModelRunner documents. The KV pool is a
/// HostKVCache sized by the function's `!graph.kv_cache` type; the engine's block size and
/// block count must match it.
class InterpreterModelRunner : public rt::ModelRunner {
public:
  /// Fails when `forward` does not have the forward-step signature. `forward`, `weights` and
  /// `pool` must outlive the runner.
  static StatusOr<std::unique_ptr<InterpreterModelRunner>>
  create(mlir::func::FuncOp forward, WeightSource &weights, ThreadPool *pool = nullptr);

  StatusOr<std::vector<rt::TokenId>> run(const rt::ScheduledBatch &batch) override;

  const HostKVCache &cache() const { return cache_; }
  /// The logits [B, V] of the last step (one row per batch entry).
  const HostTensor &lastLogits() const { return lastLogits_; }

private:
  InterpreterModelRunner(mlir::func::FuncOp forward, WeightSource &weights, ThreadPool *pool,
                         HostKVCache cache)
      : forward_(forward), interpreter_(weights, pool), cache_(std::move(cache)) {}

  mlir::func::FuncOp forward_;
  Interpreter interpreter_;
  HostKVCache cache_;
  HostTensor lastLogits_;
};

} // namespace loom::ref

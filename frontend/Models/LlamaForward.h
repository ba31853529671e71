// The forward step of a Llama-family decoder (Llama 2/3, Mistral, Qwen2, SmolLM) as graph IR.
#pragma once

#include "frontend/Builder/Tensor.h"
#include "frontend/Builder/WeightSpec.h"
#include "frontend/Models/ForwardOptions.h"
#include "frontend/Readers/ModelConfig.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

#include <vector>

namespace loom::models {

/// A built forward-step function and what loading it needs.
struct LlamaForward {
  /// `func.func @forward` with the signature and attributes of docs/graph-ops.md.
  mlir::OwningOpRef<mlir::ModuleOp> module;
  /// Every checkpoint tensor the graph binds (HF names), with the shape it needs; check a
  /// checkpoint with checkWeights before running.
  std::vector<WeightSpec> weights;
  KVCacheShape kvCache;
  DType dtype = DType::bf16;
  int64_t maxBlocksPerSeq = 0;
};

/// Builds `forward(tokens, positions, slots, seq_starts, context_lens, block_tables, logit_rows,
/// kv_cache) -> (logits [seqs, vocab] f32, kv_cache)`: embedding, per layer rms_norm → merged
/// QKV linear → rope → kv_append → paged_attention → o_proj → residual, rms_norm → merged
/// gate/up linear → silu·mul → down → residual; final norm, logit-row gather, LM head (tied or
/// not), cast to f32. Unsupported configs are errors naming what (checkLlamaSupport).
StatusOr<LlamaForward> buildLlamaForward(mlir::MLIRContext &context,
                                         const frontend::ModelConfig &config,
                                         const ForwardOptions &options = {});

} // namespace loom::models

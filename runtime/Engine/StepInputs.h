// StepInputs: the forward-step function's integer inputs for one scheduled batch
// (docs/graph-ops.md), shared by every model runner (CPU interpreter, GPU package).
#pragma once

#include "runtime/Engine/Scheduler.h"

#include <cstdint>
#include <vector>

namespace loom::rt {

/// Host arrays, token-major, ready to copy to the model's inputs.
struct StepInputs {
  std::vector<int32_t> tokens;       ///< [T] the token ids computed this step
  std::vector<int32_t> positions;    ///< [T] their positions in their sequences
  std::vector<int32_t> slots;        ///< [T] KV slot of each token: block * blockSize + offset
  std::vector<int32_t> seqStarts;    ///< [B+1] first row of each sequence, then T
  std::vector<int32_t> contextLens;  ///< [B] cached tokens of each sequence after this step
  std::vector<int32_t> blockTables;  ///< [B, blocksPerSeq] row-major, padded with 0
  std::vector<int32_t> logitRows;    ///< [B] the last row of each sequence's chunk
  int numTokens = 0, numSeqs = 0, blocksPerSeq = 0;
};

/// Builds the inputs; `minBlocksPerSeq` pads the block table (e.g. to a CUDA graph bucket's
/// width). kInvalidArgument when an entry's block table cannot hold its context.
StatusOr<StepInputs> buildStepInputs(const ScheduledBatch &batch, int minBlocksPerSeq = 0);
/// The same into `in`, reusing its arrays' memory (a runner keeps one across steps, so a
/// step allocates nothing once the arrays have grown to the largest step).
Status buildStepInputs(const ScheduledBatch &batch, int minBlocksPerSeq, StepInputs &in);

} // namespace loom::rt

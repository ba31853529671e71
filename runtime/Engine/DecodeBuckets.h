// Decode batch buckets for CUDA graphs, and padding a decode step's inputs up to its bucket.
#pragma once

#include "runtime/Engine/StepInputs.h"

#include <optional>
#include <vector>

namespace loom::rt {

/// The batch sizes a decode graph is captured for: the sizes of kSmallDecodeBuckets up to
/// `maxSeqs`, then every multiple of kDecodeBucketStride, then `maxSeqs` itself (1, 2, 4, 8, 16,
/// 24, 32, … as vLLM). Ascending, unique; empty when maxSeqs < 1.
std::vector<int> decodeBuckets(int maxSeqs);

/// The smallest bucket holding `numSeqs` sequences, or nullopt when none does.
std::optional<int> bucketFor(const std::vector<int> &buckets, int numSeqs);

/// Whether `in` is a decode-only step: one token per sequence.
inline bool isDecodeOnly(const StepInputs &in) { return in.numTokens == in.numSeqs; }

/// Where padding rows put their one token: a KV block the engine never hands out.
struct PaddingTarget {
  int32_t scratchBlock = 0;
  int blockSize = 16;
};

/// Pads a decode-only step to `bucket` sequences: each padding row computes token 0 at position
/// 0, writes its KV to the scratch block's first slot and attends over that one slot (context
/// length 1, a block table of the scratch block), and reads its own logits row. Real rows are
/// unchanged, so their results are those of the unpadded step. kInvalidArgument when `in` is
/// not decode-only or has more sequences than `bucket`.
Status padDecodeStep(StepInputs &in, int bucket, const PaddingTarget &target);

} // namespace loom::rt

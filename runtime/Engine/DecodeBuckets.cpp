// Decode buckets and the padding of decode steps.
#include "runtime/Engine/DecodeBuckets.h"

#include <algorithm>
#include <fmt/format.h>

namespace loom::rt {

namespace {
constexpr int kSmallDecodeBuckets[] = {1, 2, 4};
constexpr int kDecodeBucketStride = 8;
} // namespace

std::vector<int> decodeBuckets(int maxSeqs) {
  std::vector<int> buckets;
  for (int size : kSmallDecodeBuckets)
    if (size <= maxSeqs)
      buckets.push_back(size);
  for (int size = kDecodeBucketStride; size <= maxSeqs; size += kDecodeBucketStride)
    buckets.push_back(size);
  if (maxSeqs >= 1 && buckets.back() != maxSeqs)
    buckets.push_back(maxSeqs);
  return buckets;
}

std::optional<int> bucketFor(const std::vector<int> &buckets, int numSeqs) {
  auto it = std::lower_bound(buckets.begin(), buckets.end(), numSeqs);
  if (it == buckets.end())
    return std::nullopt;
  return *it;
}

Status padDecodeStep(StepInputs &in, int bucket, const PaddingTarget &target) {
  if (!isDecodeOnly(in) || in.numSeqs > bucket)
    return LOOM_ERROR(StatusCode::kInvalidArgument,
                      fmt::format("cannot pad a step of {} tokens over {} sequences to a decode "
                                  "bucket of {}",
                                  in.numTokens, in.numSeqs, bucket));
  for (int row = in.numSeqs; row < bucket; ++row) {
    in.tokens.push_back(0);
    in.positions.push_back(0);
    in.slots.push_back(target.scratchBlock * target.blockSize);
    in.seqStarts.push_back(row + 1);
    in.contextLens.push_back(1);
    in.blockTables.insert(in.blockTables.end(), in.blocksPerSeq, target.scratchBlock);
    in.logitRows.push_back(row);
  }
  in.numTokens = in.numSeqs = bucket;
  return Status::ok();
}

} // namespace loom::rt

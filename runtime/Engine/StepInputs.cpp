// Building the forward step's positions, slots, block tables and sequence offsets.
#include "runtime/Engine/StepInputs.h"

#include <algorithm>
#include <fmt/format.h>

namespace loom::rt {

StatusOr<StepInputs> buildStepInputs(const ScheduledBatch &batch, int minBlocksPerSeq) {
  StepInputs in;
  LOOM_RETURN_IF_ERROR(buildStepInputs(batch, minBlocksPerSeq, in));
  return in;
}

Status buildStepInputs(const ScheduledBatch &batch, int minBlocksPerSeq, StepInputs &in) {
  for (std::vector<int32_t> *values : {&in.tokens, &in.positions, &in.slots, &in.seqStarts,
                                       &in.contextLens, &in.blockTables, &in.logitRows})
    values->clear();
  in.numSeqs = static_cast<int>(batch.entries.size());
  in.blocksPerSeq = std::max(minBlocksPerSeq, 1);
  for (const ScheduledSequence &entry : batch.entries)
    in.blocksPerSeq = std::max(in.blocksPerSeq, static_cast<int>(entry.sequence->blockTable().size()));
  in.seqStarts.push_back(0);
  in.blockTables.assign(static_cast<size_t>(in.numSeqs) * in.blocksPerSeq, 0);
  for (int b = 0; b < in.numSeqs; ++b) {
    const ScheduledSequence &entry = batch.entries[b];
    const auto &table = entry.sequence->blockTable();
    int context = entry.startPosition + entry.numTokens;
    if (entry.numTokens <= 0 ||
        static_cast<int64_t>(table.size()) * batch.blockSize < context ||
        static_cast<int>(entry.sequence->tokens().size()) < context)
      return LOOM_ERROR(StatusCode::kInvalidArgument,
                        fmt::format("entry {}: {} tokens from position {} do not fit its {} blocks "
                                    "of {} or its {} tokens",
                                    b, entry.numTokens, entry.startPosition, table.size(),
                                    batch.blockSize, entry.sequence->tokens().size()));
    for (int p = entry.startPosition; p < context; ++p) {
      in.tokens.push_back(entry.sequence->tokens()[p]);
      in.positions.push_back(p);
      in.slots.push_back(table[p / batch.blockSize] * batch.blockSize + p % batch.blockSize);
    }
    std::copy(table.begin(), table.end(), in.blockTables.begin() + static_cast<size_t>(b) * in.blocksPerSeq);
    in.seqStarts.push_back(static_cast<int32_t>(in.tokens.size()));
    in.contextLens.push_back(context);
    in.logitRows.push_back(static_cast<int32_t>(in.tokens.size()) - 1);
  }
  in.numTokens = static_cast<int>(in.tokens.size());
  return Status::ok();
}

} // namespace loom::rt

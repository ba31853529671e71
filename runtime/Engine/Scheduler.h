// Continuous batching: which tokens of which sequences run in the next step.
#pragma once

#include "runtime/Engine/BlockManager.h"
#include "runtime/Engine/EngineConfig.h"
#include "runtime/Engine/Sequence.h"
#include "runtime/Engine/StopChecker.h"
#include "runtime/Support/Status.h"

#include <deque>
#include <memory>
#include <span>
#include <vector>

namespace loom::rt {

/// The tokens one sequence computes in a step: `tokens()[startPosition,
/// startPosition + numTokens)`, whose KV goes to the slots its block table
/// gives. `producesToken` is true when this chunk reaches the sequence's last
/// token (a decode, or the last chunk of a prefill): the step samples one
/// token for it.
struct ScheduledSequence {
  std::shared_ptr<Sequence> sequence;
  int startPosition = 0;
  int numTokens = 0;
  bool producesToken = false;
};

/// One step's work: decodes first, then prefill chunks, in that order.
struct ScheduledBatch {
  std::vector<ScheduledSequence> entries;
  int blockSize = 0;

  bool empty() const { return entries.empty(); }
  int numTokens() const;
  int numSampled() const;
};

/// FCFS continuous batching under a per-step token budget.
///
/// Each step: (1) every running sequence with one token left (a decode), oldest
/// first, gets a KV slot; when no block is free, the newest running sequence
/// is preempted by recompute (blocks freed, tokens kept, back to the head of
/// the waiting queue in arrival order) — possibly the decoding one itself;
/// (2) running sequences in the middle of a prefill get chunks from the
/// remaining budget; (3) unless step 1 preempted, waiting sequences are
/// admitted in arrival order while the running count, the budget and the
/// free KV blocks (for all their tokens, prefix hits counted) allow; the
/// first that does not fit stops admission.
class Scheduler {
public:
  /// `config` must be valid (`EngineConfig::validate`).
  Scheduler(const EngineConfig &config, Detokenizer detokenizer = {});

  /// Queues `seq` (status waiting, no blocks). An invalid request is finished
  /// at once with FinishReason::kError and the returned Status as its error.
  Status add(std::shared_ptr<Sequence> seq);
  /// Finishes a waiting or running request as cancelled and returns it; null if unknown.
  std::shared_ptr<Sequence> cancel(RequestId id);

  ScheduledBatch schedule();
  /// Advances every scheduled sequence, appends `sampledTokens` (one per entry
  /// with producesToken, in batch order), checks stop conditions and frees
  /// finished sequences. Returns the sequences that finished in this step.
  StatusOr<std::vector<std::shared_ptr<Sequence>>>
  postprocess(const ScheduledBatch &batch, std::span<const TokenId> sampledTokens);

  bool hasUnfinished() const { return !waiting_.empty() || !running_.empty(); }
  size_t numWaiting() const { return waiting_.size(); }
  size_t numRunning() const { return running_.size(); }
  int64_t numPreemptions() const { return numPreemptions_; }
  const BlockManager &blockManager() const { return blockManager_; }
  const EngineConfig &config() const { return config_; }

private:
  void scheduleDecodes(ScheduledBatch &batch, int &budget, bool &preempted);
  void schedulePrefillChunks(ScheduledBatch &batch, int &budget);
  void admitWaiting(ScheduledBatch &batch, int &budget);
  /// Frees the newest running sequence and requeues it.
  void preemptNewest();
  void requeue(std::shared_ptr<Sequence> seq);
  void addChunk(ScheduledBatch &batch, const std::shared_ptr<Sequence> &seq,
                int &budget);

  EngineConfig config_;
  BlockManager blockManager_;
  StopChecker stopChecker_;
  std::deque<std::shared_ptr<Sequence>> waiting_; ///< arrival order
  std::deque<std::shared_ptr<Sequence>> running_; ///< arrival order
  int64_t numPreemptions_ = 0;
};

} // namespace loom::rt

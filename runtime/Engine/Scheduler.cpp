// Scheduler: decode-first continuous batching, chunked prefill, preemption.
#include "runtime/Engine/Scheduler.h"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>

namespace loom::rt {

int ScheduledBatch::numTokens() const {
  int total = 0;
  for (const ScheduledSequence &entry : entries)
    total += entry.numTokens;
  return total;
}

int ScheduledBatch::numSampled() const {
  return static_cast<int>(std::count_if(entries.begin(), entries.end(),
                                        [](const ScheduledSequence &entry) {
                                          return entry.producesToken;
                                        }));
}

Scheduler::Scheduler(const EngineConfig &config, Detokenizer detokenizer)
    : config_(config), blockManager_(config.numBlocks, config.blockSize),
      stopChecker_(config.eosTokenId, config.maxModelLen, std::move(detokenizer)) {
  assert(config.validate().isOk());
}

Status Scheduler::add(std::shared_ptr<Sequence> seq) {
  assert(seq->status() == SequenceStatus::kWaiting && seq->blockTable().empty());
  Status status = validateRequest(seq->promptTokens(), seq->params(), config_,
                                  stopChecker_.canDetokenize());
  if (!status) {
    status = status.withContext(fmt::format("request {}", seq->id()));
    seq->finish(FinishReason::kError, status);
    return status;
  }
  requeue(std::move(seq));
  return Status::ok();
}

std::shared_ptr<Sequence> Scheduler::cancel(RequestId id) {
  for (auto *queue : {&waiting_, &running_}) {
    auto it = std::find_if(queue->begin(), queue->end(),
                           [&](const auto &seq) { return seq->id() == id; });
    if (it == queue->end())
      continue;
    std::shared_ptr<Sequence> seq = *it;
    queue->erase(it);
    blockManager_.free(*seq);
    seq->finish(FinishReason::kCancelled);
    return seq;
  }
  return nullptr;
}

ScheduledBatch Scheduler::schedule() {
  ScheduledBatch batch;
  batch.blockSize = config_.blockSize;
  int budget = config_.maxBatchedTokens;
  bool preempted = false;
  scheduleDecodes(batch, budget, preempted);
  schedulePrefillChunks(batch, budget);
  if (!preempted)
    admitWaiting(batch, budget);
  return batch;
}

void Scheduler::scheduleDecodes(ScheduledBatch &batch, int &budget,
                                bool &preempted) {
  for (size_t i = 0; i < running_.size() && budget > 0;) {
    std::shared_ptr<Sequence> seq = running_[i];
    if (seq->numUncomputedTokens() != 1) {
      ++i;
      continue;
    }
    while (!blockManager_.canAppend(*seq) && running_.back() != seq) {
      preemptNewest(); // only sequences after `i`, none scheduled yet
      preempted = true;
    }
    if (!blockManager_.canAppend(*seq)) {
      preemptNewest(); // `seq` itself is the newest
      preempted = true;
      break;
    }
    blockManager_.appendSlot(*seq);
    addChunk(batch, seq, budget);
    ++i;
  }
}

void Scheduler::schedulePrefillChunks(ScheduledBatch &batch, int &budget) {
  for (const std::shared_ptr<Sequence> &seq : running_) {
    if (budget == 0)
      return;
    if (seq->numUncomputedTokens() > 1)
      addChunk(batch, seq, budget);
  }
}

void Scheduler::admitWaiting(ScheduledBatch &batch, int &budget) {
  while (!waiting_.empty() && budget > 0 &&
         static_cast<int>(running_.size()) < config_.maxSequences) {
    std::shared_ptr<Sequence> seq = waiting_.front();
    if (!blockManager_.canAllocate(*seq))
      return;
    waiting_.pop_front();
    seq->metrics().prefixHitTokens += blockManager_.allocate(*seq);
    seq->setStatus(SequenceStatus::kRunning);
    running_.push_back(seq);
    addChunk(batch, seq, budget);
  }
}

void Scheduler::addChunk(ScheduledBatch &batch,
                         const std::shared_ptr<Sequence> &seq, int &budget) {
  int count = std::min(seq->numUncomputedTokens(), budget);
  int start = seq->numComputedTokens();
  budget -= count;
  batch.entries.push_back(
      {seq, start, count, start + count == seq->size()});
}

void Scheduler::preemptNewest() {
  std::shared_ptr<Sequence> victim = running_.back();
  running_.pop_back();
  blockManager_.free(*victim);
  victim->setStatus(SequenceStatus::kPreempted);
  victim->countPreemption();
  ++numPreemptions_;
  requeue(std::move(victim));
}

void Scheduler::requeue(std::shared_ptr<Sequence> seq) {
  auto at = std::upper_bound(waiting_.begin(), waiting_.end(), seq,
                             [](const auto &a, const auto &b) {
                               return a->arrivalOrder() < b->arrivalOrder();
                             });
  waiting_.insert(at, std::move(seq));
}

StatusOr<std::vector<std::shared_ptr<Sequence>>>
Scheduler::postprocess(const ScheduledBatch &batch,
                       std::span<const TokenId> sampledTokens) {
  if (static_cast<int>(sampledTokens.size()) != batch.numSampled())
    return LOOM_ERROR(StatusCode::kInternal,
                      fmt::format("the model runner returned {} tokens for a "
                                  "batch that samples {}",
                                  sampledTokens.size(), batch.numSampled()));
  std::vector<std::shared_ptr<Sequence>> finished;
  size_t next = 0;
  for (const ScheduledSequence &entry : batch.entries) {
    Sequence &seq = *entry.sequence;
    seq.setNumComputedTokens(entry.startPosition + entry.numTokens);
    blockManager_.cacheComputedBlocks(seq);
    if (!entry.producesToken)
      continue;
    seq.appendToken(sampledTokens[next++]);
    std::optional<FinishReason> reason = stopChecker_.check(seq);
    if (!reason)
      continue;
    seq.finish(*reason);
    blockManager_.free(seq);
    std::erase(running_, entry.sequence);
    finished.push_back(entry.sequence);
  }
  return finished;
}

} // namespace loom::rt

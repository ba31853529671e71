// One request as the engine tracks it: tokens, progress, KV blocks, status.
#pragma once

#include "runtime/Engine/RequestMetrics.h"
#include "runtime/Engine/SamplingParams.h"
#include "runtime/Engine/Types.h"
#include "runtime/Support/Status.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace loom::rt {

enum class SequenceStatus { kWaiting, kRunning, kPreempted, kFinished };

/// Why a sequence finished.
enum class FinishReason {
  kEos,          ///< generated the model's end-of-sequence token
  kStopToken,    ///< generated one of the request's stop token ids
  kStopString,   ///< the detokenized output contains a stop string
  kMaxTokens,    ///< generated max_tokens tokens
  kContextLimit, ///< reached the model's context length
  kCancelled,    ///< the caller cancelled it
  kError,        ///< the request was invalid; see `error()`
};

const char *finishReasonName(FinishReason reason);

/// Incremental detokenization state (HF text-generation-inference): the tokens
/// `[prefixOffset, readOffset)` of the sequence were decoded last time, and the
/// text so far. Decoding starts a few prompt tokens back, so the first output
/// token keeps context-dependent text such as its leading space.
struct DetokenizedText {
  std::string text;
  size_t prefixOffset = 0;
  size_t readOffset = 0; ///< 0 until the first output token is decoded
};

/// Prompt + generated tokens, how many of them have KV in the cache, the block
/// table holding that KV, and the request's status.
///
/// The tokens still to compute are always `tokens()[numComputedTokens(), size())`;
/// the step that computes the last of them samples the next token. A decode is
/// the case of exactly one such token. Preemption by recompute resets the
/// computed count to 0 and keeps every token.
class Sequence {
public:
  Sequence(RequestId id, std::vector<TokenId> prompt,
           std::shared_ptr<const SamplingParams> params, uint64_t arrivalOrder);

  RequestId id() const { return id_; }
  uint64_t arrivalOrder() const { return arrivalOrder_; }
  const SamplingParams &params() const { return *params_; }

  std::span<const TokenId> tokens() const { return tokens_; }
  int size() const { return static_cast<int>(tokens_.size()); }
  int numPromptTokens() const { return numPromptTokens_; }
  int numOutputTokens() const { return size() - numPromptTokens_; }
  std::span<const TokenId> promptTokens() const;
  std::span<const TokenId> outputTokens() const;
  void appendToken(TokenId token) { tokens_.push_back(token); }

  int numComputedTokens() const { return numComputedTokens_; }
  int numUncomputedTokens() const { return size() - numComputedTokens_; }
  void setNumComputedTokens(int count);

  const std::vector<BlockId> &blockTable() const { return blockTable_; }
  std::vector<BlockId> &blockTable() { return blockTable_; }

  SequenceStatus status() const { return status_; }
  void setStatus(SequenceStatus status) { status_ = status; }
  bool isFinished() const { return status_ == SequenceStatus::kFinished; }
  /// Marks it finished; `error` explains a kError finish.
  void finish(FinishReason reason, Status error = Status::ok());
  std::optional<FinishReason> finishReason() const { return finishReason_; }
  const Status &error() const { return error_; }

  /// Detokenized output; filled only when the engine has a detokenizer.
  const std::string &outputText() const { return text_.text; }
  DetokenizedText &detokenized() { return text_; }

  int numPreemptions() const { return numPreemptions_; }
  void countPreemption() { ++numPreemptions_; }

  /// Timing and token counts, filled by the engine.
  const RequestMetrics &metrics() const { return metrics_; }
  RequestMetrics &metrics() { return metrics_; }

private:
  RequestId id_;
  uint64_t arrivalOrder_;
  std::shared_ptr<const SamplingParams> params_;
  std::vector<TokenId> tokens_;
  int numPromptTokens_;
  int numComputedTokens_ = 0;
  std::vector<BlockId> blockTable_;
  SequenceStatus status_ = SequenceStatus::kWaiting;
  std::optional<FinishReason> finishReason_;
  Status error_;
  DetokenizedText text_;
  int numPreemptions_ = 0;
  RequestMetrics metrics_;
};

} // namespace loom::rt

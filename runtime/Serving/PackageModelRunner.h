// PackageModelRunner: the engine's ModelRunner on the GPU — a compiled model package run step by
// step through its PackageExecutor; decode steps replay CUDA graphs per batch bucket; tokens are
// sampled on the GPU (logits stay on the device) or on the host.
#pragma once

#include "runtime/Engine/ModelRunner.h"
#include "runtime/Package/PackageExecutor.h"
#include "runtime/Serving/DecodeGraphs.h"
#include "runtime/Serving/GpuSampler.h"
#include "runtime/Serving/StepTimer.h"
#include "runtime/Serving/StepUploads.h"

#include <memory>
#include <optional>
#include <vector>

namespace loom::rt {

struct PackageRunnerOptions {
  /// Decode-only steps padded to a bucket (decodeBuckets of the package's max seqs) and run
  /// through a CUDA graph per bucket. Needs the package's KV pool (one block is reserved as
  /// the padding rows' scratch) and a blocks_per_seq bound (graph steps use the full width).
  bool decodeGraphs = true;
  /// Samples on the GPU with this sampler when set (it must outlive the runner); otherwise the
  /// logits are read back and sampled on the host.
  GpuSampler *sampler = nullptr;
  /// When set, each step's inputs are gathered by one kernel from pinned memory (compiled with
  /// it) instead of a copy per input (StepUploads).
  KernelCompiler *compiler = nullptr;
  /// With decode graphs and the GPU sampler: a graph step whose rows are all greedy without a
  /// repetition penalty replays its bucket's second graph, which ends with the argmax
  /// (GraphArgmax) writing the tokens to pinned memory — one graph launch and one sync per step.
  /// Other steps sample after the graph as before.
  bool greedyInGraph = true;
};

/// What the runner did so far (for the bench report).
struct PackageRunnerStats {
  int64_t eagerSteps = 0, graphSteps = 0, paddedRows = 0;
  int64_t inGraphSamplingSteps = 0; ///< graph steps whose graph sampled them (greedyInGraph)
  size_t numGraphs = 0;
  uint64_t graphMemoryBytes = 0;
};

class PackageModelRunner final : public ModelRunner {
public:
  /// `executor` runs a forward-step package (docs/graph-ops.md inputs, output "logits").
  /// kInvalidArgument when the package lacks an input or output the step needs.
  static StatusOr<std::unique_ptr<PackageModelRunner>>
  create(PackageExecutor &executor, const Stream &stream, PackageRunnerOptions options = {});

  /// kInvalidArgument when an entry's block table holds a block at or past usableKvBlocks().
  StatusOr<std::vector<TokenId>> run(const ScheduledBatch &batch) override;

  int vocabSize() const { return vocabSize_; }
  /// The KV blocks the engine may hand out (EngineConfig::numBlocks): the package's pool, less
  /// the scratch block when decode graphs are on.
  int usableKvBlocks() const { return usableKvBlocks_; }
  bool usesDecodeGraphs() const { return graphs_ != nullptr; }
  PackageRunnerStats stats() const;
  /// Brackets every launch of later eager steps, and every graph replay, with `timer`'s events
  /// (nullptr: none); the caller resets the timer before a step and reads it after (tracing).
  void setLaunchTimer(LaunchTimer *timer) { timer_ = timer; }
  /// Times every later step's host phases and GPU spans with `timer` (nullptr: none); the
  /// times of the last step are lastStepTiming().
  void setStepTimer(StepTimer *timer) { stepTimer_ = timer; }
  const std::optional<StepTiming> &lastStepTiming() const { return lastStepTiming_; }

private:
  PackageModelRunner(PackageExecutor &executor, const Stream &stream, int vocabSize)
      : executor_(executor), stream_(stream), vocabSize_(vocabSize) {}
  /// The graph bucket of a decode-only batch, when graphs are on and one holds it.
  std::optional<int> graphBucket(const ScheduledBatch &batch) const;
  Status checkBlocks(const ScheduledBatch &batch) const;
  /// Whether the graph of this decode step samples it (greedyInGraph); samplerRows_ are built.
  bool samplesInGraph(const std::optional<int> &bucket) const;
  /// Issues the step's sampling (GPU sampler); `graphBucket`: the step's graph of this bucket
  /// sampled it, whose tokens are adopted.
  Status enqueueSample(std::optional<int> graphBucket);
  StatusOr<std::vector<TokenId>> collectSample(const ScheduledBatch &batch);
  /// The step timer's hooks; nothing without one.
  void endPhase(RunnerPhase phase);
  Status mark(GpuMark mark);

  PackageExecutor &executor_;
  const Stream &stream_;
  int vocabSize_;
  int usableKvBlocks_ = 0;
  int blockSize_ = 0;
  int maxBlocksPerSeq_ = 0;
  std::vector<int> buckets_;
  std::unique_ptr<StepUploads> uploads_;
  std::unique_ptr<DecodeGraphs> graphs_;
  StepInputs inputs_;       ///< the step's inputs; its arrays are reused
  SamplerRows samplerRows_; ///< likewise
  GpuSampler *sampler_ = nullptr;
  LaunchTimer *timer_ = nullptr;
  StepTimer *stepTimer_ = nullptr;
  std::optional<StepTiming> lastStepTiming_;
  PackageRunnerStats stats_;
};

} // namespace loom::rt

// Running one engine step through a compiled package: inputs, eager or graph launch, sampling.
#include "runtime/Serving/PackageModelRunner.h"

#include "runtime/Engine/BatchSampler.h"
#include "runtime/Engine/DecodeBuckets.h"
#include "runtime/Engine/SamplerRows.h"
#include "runtime/Engine/StepInputs.h"

#include <algorithm>
#include <cstring>
#include <fmt/format.h>

namespace loom::rt {

namespace {

/// The vocabulary of the f32 output "logits" [seqs, vocab], or an error.
StatusOr<int> logitsVocab(const Manifest &m) {
  for (const TensorSpec &out : m.outputs) {
    if (out.name != "logits" || out.dtype != DType::kF32 || out.shape.size() != 2)
      continue;
    auto vocab = out.shape[1].evaluate({});
    if (vocab && *vocab > 0)
      return static_cast<int>(*vocab);
  }
  return LOOM_ERROR(StatusCode::kInvalidArgument,
                    "package has no f32 output 'logits' of shape [seqs, vocab]");
}

int64_t maxDim(const Manifest &m, const char *name) {
  auto it = m.maxDims.find(name);
  return it == m.maxDims.end() ? 0 : it->second;
}

/// Waits for a stream when a step returns early after queueing work on it: the next step's
/// stage() rewrites the pinned inputs the queued kernels (or the decode graph) may still read.
class WaitOnEarlyReturn {
public:
  explicit WaitOnEarlyReturn(const Stream &stream) : stream_(stream) {}
  WaitOnEarlyReturn(const WaitOnEarlyReturn &) = delete;
  WaitOnEarlyReturn &operator=(const WaitOnEarlyReturn &) = delete;
  ~WaitOnEarlyReturn() {
    if (armed_)
      (void)stream_.synchronize(); // the step's own error is the one to report
  }
  /// From now on the stream may hold the step's work.
  void arm() { armed_ = true; }
  /// The step ends without an error (it has waited for its work).
  void disarm() { armed_ = false; }

private:
  const Stream &stream_;
  bool armed_ = false;
};

} // namespace

StatusOr<std::unique_ptr<PackageModelRunner>>
PackageModelRunner::create(PackageExecutor &executor, const Stream &stream,
                           PackageRunnerOptions options) {
  const Manifest &m = executor.manifest();
  LOOM_ASSIGN_OR_RETURN(std::unique_ptr<StepUploads> uploads,
                        StepUploads::create(stream.context(), executor, options.compiler));
  LOOM_ASSIGN_OR_RETURN(int vocab, logitsVocab(m));
  if (options.sampler && options.sampler->vocabSize() != vocab)
    return LOOM_ERROR(StatusCode::kInvalidArgument,
                      fmt::format("the GPU sampler is for a vocabulary of {}, the package's is {}",
                                  options.sampler->vocabSize(), vocab));
  std::unique_ptr<PackageModelRunner> runner(new PackageModelRunner(executor, stream, vocab));
  runner->sampler_ = options.sampler;
  runner->uploads_ = std::move(uploads);
  int64_t poolBlocks = m.kvCache ? m.kvCache->blocks : 0;
  runner->usableKvBlocks_ = static_cast<int>(poolBlocks);
  runner->maxBlocksPerSeq_ = static_cast<int>(maxDim(m, "blocks_per_seq"));
  if (options.decodeGraphs && poolBlocks > 1 && runner->maxBlocksPerSeq_ > 0) {
    runner->usableKvBlocks_ = static_cast<int>(poolBlocks - 1); // the last block: scratch
    runner->blockSize_ = static_cast<int>(m.kvCache->blockSize);
    runner->buckets_ = decodeBuckets(static_cast<int>(maxDim(m, "seqs")));
    DecodeGraphs::Tail argmax;
    if (options.sampler && options.greedyInGraph) {
      LOOM_ASSIGN_OR_RETURN(CUdeviceptr logits, executor.outputAddress("logits"));
      GpuSampler *sampler = options.sampler;
      argmax = [sampler, logits](const Stream &s, const DimValues &dims) {
        return sampler->enqueueInGraph(logits, sampler->inGraphRows(dims.at("seqs")), s);
      };
    }
    runner->graphs_ = std::make_unique<DecodeGraphs>(executor, stream, *runner->uploads_,
                                                     std::move(argmax));
  }
  return runner;
}

std::optional<int> PackageModelRunner::graphBucket(const ScheduledBatch &batch) const {
  if (!graphs_ || !std::all_of(batch.entries.begin(), batch.entries.end(),
                               [](const ScheduledSequence &e) { return e.numTokens == 1; }))
    return std::nullopt;
  return bucketFor(buckets_, static_cast<int>(batch.entries.size()));
}

Status PackageModelRunner::checkBlocks(const ScheduledBatch &batch) const {
  for (const ScheduledSequence &entry : batch.entries)
    for (BlockId block : entry.sequence->blockTable())
      if (block < 0 || (usableKvBlocks_ > 0 && block >= usableKvBlocks_))
        return LOOM_ERROR(StatusCode::kInvalidArgument,
                          fmt::format("request {} holds KV block {}, outside the {} blocks this "
                                      "runner serves (set EngineConfig::numBlocks to "
                                      "usableKvBlocks())",
                                      entry.sequence->id(), block, usableKvBlocks_));
  return Status::ok();
}

StatusOr<std::vector<TokenId>> PackageModelRunner::run(const ScheduledBatch &batch) {
  if (stepTimer_)
    stepTimer_->beginStep();
  LOOM_RETURN_IF_ERROR(checkBlocks(batch));
  std::optional<int> bucket = graphBucket(batch);
  StepInputs &in = inputs_;
  LOOM_RETURN_IF_ERROR(buildStepInputs(batch, bucket ? maxBlocksPerSeq_ : 0, in));
  if (bucket) {
    stats_.paddedRows += *bucket - in.numSeqs;
    LOOM_RETURN_IF_ERROR(padDecodeStep(in, *bucket, PaddingTarget{usableKvBlocks_, blockSize_}));
  }
  DimValues dims{{"tokens", in.numTokens}, {"seqs", in.numSeqs}, {"blocks_per_seq", in.blocksPerSeq}};
  LOOM_RETURN_IF_ERROR(uploads_->stage(in, dims));
  if (sampler_)
    buildSamplerRows(batch, samplerRows_);
  const bool inGraph = samplesInGraph(bucket);
  endPhase(RunnerPhase::kBuildInputs);
  WaitOnEarlyReturn waitOnError(stream_); // every return below, until the step has waited
  waitOnError.arm();
  LOOM_RETURN_IF_ERROR(mark(GpuMark::kStart));
  if (!bucket) // a decode graph copies its inputs itself
    LOOM_RETURN_IF_ERROR(uploads_->enqueue(stream_));
  endPhase(RunnerPhase::kUpload);
  LOOM_RETURN_IF_ERROR(mark(GpuMark::kForward));
  if (bucket) {
    if (timer_)
      LOOM_RETURN_IF_ERROR(timer_->beforeGraph(*bucket, stream_));
    LOOM_RETURN_IF_ERROR(graphs_->run(*bucket, dims, inGraph));
    if (timer_)
      LOOM_RETURN_IF_ERROR(timer_->afterLaunch(stream_));
    ++stats_.graphSteps;
    stats_.inGraphSamplingSteps += inGraph;
  } else {
    LOOM_RETURN_IF_ERROR(executor_.run(dims, stream_, timer_));
    ++stats_.eagerSteps;
  }
  LOOM_RETURN_IF_ERROR(mark(GpuMark::kForwardEnd));
  endPhase(RunnerPhase::kLaunch);
  LOOM_RETURN_IF_ERROR(enqueueSample(inGraph ? std::optional<int>(*bucket) : std::nullopt));
  LOOM_RETURN_IF_ERROR(mark(GpuMark::kEnd));
  endPhase(RunnerPhase::kSample);
  LOOM_ASSIGN_OR_RETURN(std::vector<TokenId> tokens, collectSample(batch));
  // Token ids from outside the model (prompts) arrive in eager steps only; a graph-replayed
  // decode step embeds ids the sampler drew, so it skips the error record's copy and sync.
  // (Without the GPU sampler, readOutput has checked the record already.)
  if (sampler_ && !bucket)
    LOOM_RETURN_IF_ERROR(executor_.checkErrors(stream_));
  endPhase(RunnerPhase::kWait);
  if (stepTimer_) {
    LOOM_ASSIGN_OR_RETURN(lastStepTiming_, stepTimer_->finishStep());
  }
  waitOnError.disarm(); // the step has waited: collecting its tokens synchronized the stream
  return tokens;
}

void PackageModelRunner::endPhase(RunnerPhase phase) {
  if (stepTimer_)
    stepTimer_->endPhase(phase);
}

Status PackageModelRunner::mark(GpuMark mark) {
  return stepTimer_ ? stepTimer_->mark(mark, stream_) : Status::ok();
}

bool PackageModelRunner::samplesInGraph(const std::optional<int> &bucket) const {
  return bucket && sampler_ && graphs_->hasTail() && GpuSampler::samplesInGraph(samplerRows_);
}

Status PackageModelRunner::enqueueSample(std::optional<int> graphBucket) {
  if (!sampler_)
    return Status::ok();
  if (graphBucket)
    return sampler_->adoptInGraph(samplerRows_, sampler_->inGraphRows(*graphBucket));
  LOOM_ASSIGN_OR_RETURN(CUdeviceptr logits, executor_.outputAddress("logits"));
  return sampler_->enqueue(logits, samplerRows_, stream_);
}

StatusOr<std::vector<TokenId>> PackageModelRunner::collectSample(const ScheduledBatch &batch) {
  if (sampler_)
    return sampler_->collect(stream_);
  // Padding rows come after the batch's rows: read only the batch's.
  DimValues dims{{"seqs", static_cast<int64_t>(batch.entries.size())}};
  LOOM_ASSIGN_OR_RETURN(auto bytes, executor_.readOutput("logits", dims, stream_));
  std::vector<float> logits(bytes.size() / sizeof(float));
  std::memcpy(logits.data(), bytes.data(), logits.size() * sizeof(float));
  return sampleBatch(batch, logits, vocabSize_);
}

PackageRunnerStats PackageModelRunner::stats() const {
  PackageRunnerStats stats = stats_;
  if (graphs_) {
    stats.numGraphs = graphs_->numGraphs();
    stats.graphMemoryBytes = graphs_->memoryBytes();
  }
  return stats;
}

} // namespace loom::rt

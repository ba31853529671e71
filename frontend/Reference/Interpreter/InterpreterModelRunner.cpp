// One engine step on the CPU: step inputs → interpreter → host sampling.
#include "frontend/Reference/Interpreter/InterpreterModelRunner.h"

#include "frontend/Reference/Interpreter/MlirTypes.h"
#include "runtime/Engine/HostSampler.h"
#include "runtime/Engine/Sequence.h"
#include "runtime/Engine/StepInputs.h"

#include <fmt/format.h>

namespace loom::ref {
namespace {

/// Arguments of the forward-step function before the KV cache, in order.
constexpr int kIndexArguments = 7;

StatusOr<HostTensor> indexTensor(const std::vector<int32_t> &values, Shape shape) {
  return HostTensor::fromInts(ElementType::kI32, std::move(shape),
                              std::vector<int64_t>(values.begin(), values.end()));
}

/// The forward-step arguments of one batch (the KV cache appended by the caller).
StatusOr<std::vector<RuntimeValue>> stepArguments(const rt::StepInputs &in) {
  int64_t tokens = in.numTokens, seqs = in.numSeqs;
  struct Argument {
    const std::vector<int32_t> &values;
    Shape shape;
  };
  const Argument table[kIndexArguments] = {
      {in.tokens, {tokens}},         {in.positions, {tokens}},
      {in.slots, {tokens}},          {in.seqStarts, {seqs + 1}},
      {in.contextLens, {seqs}},      {in.blockTables, {seqs, in.blocksPerSeq}},
      {in.logitRows, {seqs}},
  };
  std::vector<RuntimeValue> arguments;
  for (const Argument &argument : table) {
    LOOM_ASSIGN_OR_RETURN(HostTensor tensor, indexTensor(argument.values, argument.shape));
    arguments.emplace_back(std::move(tensor));
  }
  return arguments;
}

} // namespace

StatusOr<std::unique_ptr<InterpreterModelRunner>>
InterpreterModelRunner::create(mlir::func::FuncOp forward, WeightSource &weights,
                               ThreadPool *pool) {
  if (!forward || forward.getNumArguments() != kIndexArguments + 1 ||
      forward.getNumResults() != 2)
    return LOOM_ERROR(StatusCode::kInvalidArgument,
                      "the forward-step function must take 7 index tensors and a kv cache and "
                      "return logits and the kv cache");
  LOOM_ASSIGN_OR_RETURN(KVCacheShape shape,
                        kvCacheShapeOf(forward.getArgumentTypes()[kIndexArguments]));
  LOOM_ASSIGN_OR_RETURN(HostKVCache cache, HostKVCache::create(shape));
  return std::unique_ptr<InterpreterModelRunner>(
      new InterpreterModelRunner(forward, weights, pool, std::move(cache)));
}

StatusOr<std::vector<rt::TokenId>> InterpreterModelRunner::run(const rt::ScheduledBatch &batch) {
  if (batch.blockSize != cache_.shape().blockSize)
    return LOOM_ERROR(StatusCode::kInvalidArgument,
                      fmt::format("the engine's block size {} differs from the kv cache's {}",
                                  batch.blockSize, cache_.shape().blockSize));
  LOOM_ASSIGN_OR_RETURN(rt::StepInputs inputs, rt::buildStepInputs(batch));
  LOOM_ASSIGN_OR_RETURN(std::vector<RuntimeValue> arguments, stepArguments(inputs));
  arguments.emplace_back(&cache_);
  LOOM_ASSIGN_OR_RETURN(std::vector<RuntimeValue> results,
                        interpreter_.run(forward_, std::move(arguments)));
  const HostTensor *logits = std::get_if<HostTensor>(&results[0]);
  if (!logits || logits->type() != ElementType::kF32 || logits->rank() != 2 ||
      logits->dim(0) != inputs.numSeqs)
    return LOOM_ERROR(StatusCode::kInvalidArgument,
                      "the forward-step function must return f32 logits with one row per sequence");
  lastLogits_ = *logits;
  std::vector<rt::TokenId> sampled;
  for (size_t b = 0; b < batch.entries.size(); ++b) {
    const rt::ScheduledSequence &entry = batch.entries[b];
    if (!entry.producesToken)
      continue;
    const rt::Sequence &seq = *entry.sequence;
    rt::SamplerRng rng =
        rt::SamplerRng::forToken(seq.params().seed.value_or(0), seq.numOutputTokens());
    sampled.push_back(rt::sampleOnHost(logits->row(static_cast<int64_t>(b)), seq.params(),
                                       seq.tokens(), rng));
  }
  return sampled;
}

} // namespace loom::ref

// Running one engine step through a compiled package.
#include "runtime/Serving/PackageModelRunner.h"

#include "runtime/Engine/BatchSampler.h"
#include "runtime/Engine/StepInputs.h"

#include <cstring>
#include <fmt/format.h>

namespace loom::rt {

namespace {

/// The forward-step inputs by name, as the model builder declares them.
struct NamedInput {
  const char *name;
  std::vector<int32_t> StepInputs::*values;
};
constexpr NamedInput kStepInputs[] = {
    {"tokens", &StepInputs::tokens},           {"positions", &StepInputs::positions},
    {"slots", &StepInputs::slots},             {"seq_starts", &StepInputs::seqStarts},
    {"context_lens", &StepInputs::contextLens}, {"block_tables", &StepInputs::blockTables},
    {"logit_rows", &StepInputs::logitRows}};

} // namespace

StatusOr<std::unique_ptr<PackageModelRunner>> PackageModelRunner::create(PackageExecutor &executor,
                                                                          const Stream &stream) {
  const Manifest &m = executor.manifest();
  for (const NamedInput &input : kStepInputs) {
    bool found = false;
    for (const TensorSpec &spec : m.inputs)
      found |= spec.name == input.name && spec.dtype == DType::kI32;
    if (!found)
      return LOOM_ERROR(StatusCode::kInvalidArgument,
                        fmt::format("package has no i32 input '{}' of the forward step", input.name));
  }
  for (size_t i = 0; i < m.outputs.size(); ++i) {
    const TensorSpec &out = m.outputs[i];
    if (out.name != "logits" || out.dtype != DType::kF32 || out.shape.size() != 2)
      continue;
    auto vocab = out.shape[1].evaluate({});
    if (!vocab || *vocab <= 0)
      break;
    return std::unique_ptr<PackageModelRunner>(
        new PackageModelRunner(executor, stream, static_cast<int>(*vocab)));
  }
  return LOOM_ERROR(StatusCode::kInvalidArgument,
                    "package has no f32 output 'logits' of shape [seqs, vocab]");
}

StatusOr<std::vector<TokenId>> PackageModelRunner::run(const ScheduledBatch &batch) {
  LOOM_ASSIGN_OR_RETURN(StepInputs in, buildStepInputs(batch));
  DimValues dims{{"tokens", in.numTokens}, {"seqs", in.numSeqs}, {"blocks_per_seq", in.blocksPerSeq}};
  for (const NamedInput &input : kStepInputs)
    LOOM_RETURN_IF_ERROR(executor_.copyInput(input.name, std::as_bytes(std::span(in.*input.values)),
                                             dims, stream_));
  LOOM_RETURN_IF_ERROR(executor_.run(dims, stream_));
  LOOM_ASSIGN_OR_RETURN(auto bytes, executor_.readOutput("logits", dims, stream_));
  std::vector<float> logits(bytes.size() / sizeof(float));
  std::memcpy(logits.data(), bytes.data(), logits.size() * sizeof(float));
  return sampleBatch(batch, logits, vocabSize_);
}

} // namespace loom::rt

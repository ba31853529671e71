// Reference sampling through the engine's host sampler, one row at a time.
#include "frontend/Reference/Sample.h"

#include "frontend/Reference/TensorChecks.h"
#include "runtime/Engine/HostSampler.h"

#include <fmt/format.h>

namespace loom::ref {
namespace {

Status checkSampleOperands(const HostTensor &logits, const HostTensor &temperature,
                           const HostTensor &topK, const HostTensor &topP, const HostTensor &minP,
                           const HostTensor &seed) {
  if (logits.type() != ElementType::kF32 || logits.rank() != 2 || logits.dim(1) == 0)
    return LOOM_ERROR(StatusCode::kInvalidArgument,
                      "sample logits must be [rows, vocab] f32, got " + logits.typeString());
  int64_t rows = logits.dim(0);
  struct Operand {
    const HostTensor &tensor;
    ElementType type;
    const char *name;
  };
  for (const Operand &operand : {Operand{temperature, ElementType::kF32, "temperature"},
                                 Operand{topK, ElementType::kI32, "top_k"},
                                 Operand{topP, ElementType::kF32, "top_p"},
                                 Operand{minP, ElementType::kF32, "min_p"},
                                 Operand{seed, ElementType::kI64, "seed"}}) {
    if (operand.tensor.type() != operand.type)
      return LOOM_ERROR(StatusCode::kInvalidArgument,
                        fmt::format("sample {} must be {}, got {}", operand.name,
                                    elementTypeName(operand.type), operand.tensor.typeString()));
    LOOM_RETURN_IF_ERROR(expectVector(operand.tensor, rows, fmt::format("sample {}", operand.name)));
  }
  return Status::ok();
}

} // namespace

StatusOr<HostTensor> sample(const HostTensor &logits, const HostTensor &temperature,
                            const HostTensor &topK, const HostTensor &topP,
                            const HostTensor &minP, const HostTensor &seed) {
  LOOM_RETURN_IF_ERROR(checkSampleOperands(logits, temperature, topK, topP, minP, seed));
  HostTensor result = HostTensor::zeros(ElementType::kI32, {logits.dim(0)});
  for (int64_t b = 0; b < logits.dim(0); ++b) {
    rt::SamplingParams params;
    params.temperature = temperature.floats()[b];
    params.topK = static_cast<int>(topK.ints()[b]);
    params.topP = topP.floats()[b];
    params.minP = minP.floats()[b];
    if (Status valid = params.validate(); !valid.isOk())
      return valid.withContext(fmt::format("sample row {}", b));
    rt::SamplerRng rng(static_cast<uint64_t>(seed.ints()[b]));
    result.ints()[b] = rt::sampleOnHost(logits.row(b), params, {}, rng);
  }
  return result;
}

} // namespace loom::ref

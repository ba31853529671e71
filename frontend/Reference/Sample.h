// Reference graph.sample: per-row temperature, top-k, top-p, min-p and a seeded draw.
#pragma once

#include "frontend/Reference/HostTensor.h"

namespace loom::ref {

/// One token per row of logits [B, V] (f32) with temperature [B] f32, top_k [B] i32,
/// top_p [B] f32, min_p [B] f32, seed [B] i64; the result is [B] i32. Row b is exactly the
/// engine's host sampler (rt::sampleOnHost, no history, no repetition penalty) with those
/// parameters and the generator rt::SamplerRng(seed[b]): temperature 0 is argmax (lowest index
/// on ties), otherwise one uniform draw over the filtered distribution. Invalid parameters
/// (negative temperature or top_k, top_p outside (0, 1], min_p outside [0, 1]) are an error
/// naming the row.
StatusOr<HostTensor> sample(const HostTensor &logits, const HostTensor &temperature,
                            const HostTensor &topK, const HostTensor &topP,
                            const HostTensor &minP, const HostTensor &seed);

} // namespace loom::ref

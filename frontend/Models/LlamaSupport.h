// What the Llama-family builder supports: architectures, RoPE scaling, field values, dtypes.
#pragma once

#include "frontend/Builder/DType.h"
#include "frontend/Models/ForwardOptions.h"
#include "frontend/Readers/ModelConfig.h"

namespace loom::models {

/// Ok when buildLlamaForward can build `config` with `options`; otherwise kInvalidArgument
/// naming the unsupported architecture, RoPE scaling type, field or option and its value.
Status checkLlamaSupport(const frontend::ModelConfig &config, const ForwardOptions &options);

/// The element type the graph uses: options.dtype, else the config's torch_dtype (bf16 when
/// it is absent or "auto"); an unknown torch_dtype is an error naming it.
StatusOr<DType> llamaDType(const frontend::ModelConfig &config, const ForwardOptions &options);

/// options.maxContext, or the model's max_position_embeddings when it is 0.
int64_t llamaMaxContext(const frontend::ModelConfig &config, const ForwardOptions &options);

} // namespace loom::models

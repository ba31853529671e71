// SamplingParams validation.
#include "runtime/Engine/SamplingParams.h"

#include <fmt/format.h>

#include <cmath>

namespace loom::rt {

namespace {
Status invalid(const std::string &message) {
  return Status(StatusCode::kInvalidArgument, message);
}
} // namespace

Status SamplingParams::validate() const {
  if (!std::isfinite(temperature) || temperature < 0.0f)
    return invalid(fmt::format("temperature must be finite and >= 0, got {}", temperature));
  if (topK < 0)
    return invalid(fmt::format("top_k must be >= 0 (0 disables it), got {}", topK));
  if (!(topP > 0.0f && topP <= 1.0f))
    return invalid(fmt::format("top_p must be in (0, 1], got {}", topP));
  if (!(minP >= 0.0f && minP <= 1.0f))
    return invalid(fmt::format("min_p must be in [0, 1], got {}", minP));
  if (!std::isfinite(repetitionPenalty) || repetitionPenalty <= 0.0f)
    return invalid(fmt::format("repetition_penalty must be finite and > 0, got {}",
                               repetitionPenalty));
  if (maxTokens < 1)
    return invalid(fmt::format("max_tokens must be >= 1, got {}", maxTokens));
  for (TokenId id : stopTokenIds)
    if (id < 0)
      return invalid(fmt::format("stop_token_ids must be >= 0, got {}", id));
  for (const std::string &stop : stopStrings)
    if (stop.empty())
      return invalid("stop strings must not be empty");
  return Status::ok();
}

} // namespace loom::rt

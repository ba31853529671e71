// RequestMetrics: token timing bookkeeping.
#include "runtime/Engine/RequestMetrics.h"

namespace loom::rt {

std::optional<double> RequestMetrics::timeToFirstToken() const {
  if (!firstTokenTime)
    return std::nullopt;
  return *firstTokenTime - arrivalTime;
}

std::optional<double> RequestMetrics::endToEndLatency() const {
  if (!finishTime)
    return std::nullopt;
  return *finishTime - arrivalTime;
}

void RequestMetrics::recordToken(double now) {
  if (!firstTokenTime)
    firstTokenTime = now;
  else
    interTokenLatencies.push_back(now - lastTokenTime_);
  lastTokenTime_ = now;
  ++numOutputTokens;
}

} // namespace loom::rt

// Engine-level serving statistics: KV block use, preemptions, prefix-cache hit rate.
#pragma once

#include <cstdint>

namespace loom::rt {

/// A snapshot of the engine (Engine::stats).
struct EngineStats {
  int64_t steps = 0;
  int64_t preemptions = 0;
  int64_t generatedTokens = 0;
  int64_t scheduledTokens = 0; ///< prompt + recomputed + decode tokens run by the model
  int kvBlocksTotal = 0;
  int kvBlocksUsed = 0;     ///< referenced by a running sequence now
  int peakKvBlocksUsed = 0; ///< the most at once, over all steps so far
  int64_t prefixHitTokens = 0;  ///< tokens served from the prefix cache at admission
  int64_t prefixMissTokens = 0; ///< tokens that had to be computed at admission
  int running = 0, waiting = 0;

  /// prefixHitTokens / (hit + miss); 0 before any admission.
  double prefixHitRate() const {
    int64_t total = prefixHitTokens + prefixMissTokens;
    return total == 0 ? 0.0 : static_cast<double>(prefixHitTokens) / total;
  }
  double kvUsage() const { return kvBlocksTotal == 0 ? 0.0 : double(kvBlocksUsed) / kvBlocksTotal; }
  double peakKvUsage() const {
    return kvBlocksTotal == 0 ? 0.0 : double(peakKvBlocksUsed) / kvBlocksTotal;
  }
};

/// Host time of one Engine::step by part, in microseconds on the steady clock.
struct EngineStepTiming {
  double scheduleMicros = 0;    ///< Scheduler::schedule
  double runMicros = 0;         ///< ModelRunner::run
  double postprocessMicros = 0; ///< Scheduler::postprocess: tokens appended, stop checks, KV freed
  double publishMicros = 0;     ///< metrics, streamed output callbacks
};

} // namespace loom::rt

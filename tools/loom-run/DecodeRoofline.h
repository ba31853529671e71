// DecodeRoofline: a bench run's decode steps against the memory roofline — the weight and KV
// bytes one decode step must read, over the copy bandwidth measured in the same run.
#pragma once

#include "tools/loom-run/KernelTraffic.h"

#include <nlohmann/json.hpp>

namespace loom::tools {

struct DecodeRoofline {
  int batch = 0;                ///< sequences per decode step
  int64_t meanContext = 0;      ///< cached tokens per sequence, averaged over the decode steps
  double copyBytesPerSecond = 0;
  LaunchBytes stepBytes;        ///< one decode step at the mean context
  double measuredStepSeconds = 0; ///< mean inter-token latency of the run

  /// Weight + KV bytes over the copy bandwidth (activations are not part of the roofline).
  double rooflineStepSeconds() const;
  double percentOfRoofline() const;
  std::string table() const;
  nlohmann::json json() const;
};

/// The roofline of `batch` sequences decoding outputLen tokens after inputLen prompt tokens
/// (mean context inputLen + outputLen / 2) in blocks of `blockSize`.
StatusOr<DecodeRoofline> decodeRoofline(const KernelTraffic &traffic, int batch, int inputLen,
                                        int outputLen, int blockSize, double copyBytesPerSecond,
                                        double measuredStepSeconds);

} // namespace loom::tools

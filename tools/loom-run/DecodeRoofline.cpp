// DecodeRoofline: bytes of a decode step, roofline time and the measured fraction of it.
#include "tools/loom-run/DecodeRoofline.h"

#include <fmt/format.h>

namespace loom::tools {

StatusOr<DecodeRoofline> decodeRoofline(const KernelTraffic &traffic, int batch, int inputLen,
                                        int outputLen, int blockSize, double copyBytesPerSecond,
                                        double measuredStepSeconds) {
  DecodeRoofline r;
  r.batch = batch;
  r.meanContext = inputLen + outputLen / 2;
  r.copyBytesPerSecond = copyBytesPerSecond;
  r.measuredStepSeconds = measuredStepSeconds;
  int64_t blocksPerSeq = (inputLen + outputLen + blockSize - 1) / blockSize;
  rt::DimValues dims{{"tokens", batch}, {"seqs", batch}, {"blocks_per_seq", blocksPerSeq}};
  LOOM_ASSIGN_OR_RETURN(r.stepBytes, traffic.stepBytes(dims, r.meanContext * batch));
  return r;
}

double DecodeRoofline::rooflineStepSeconds() const {
  return copyBytesPerSecond > 0
             ? static_cast<double>(stepBytes.weights + stepBytes.kv) / copyBytesPerSecond
             : 0;
}

double DecodeRoofline::percentOfRoofline() const {
  return measuredStepSeconds > 0 ? 100.0 * rooflineStepSeconds() / measuredStepSeconds : 0;
}

std::string DecodeRoofline::table() const {
  std::string text = "\n";
  text += fmt::format("{:<32}{:.1f} GB/s (1 GiB device-to-device, read + write)\n",
                      "copy bandwidth", copyBytesPerSecond / 1e9);
  text += fmt::format("{:<32}{:.1f} MB weights + {:.1f} MB KV (batch {}, context {})\n",
                      "decode step reads", stepBytes.weights / 1e6, stepBytes.kv / 1e6, batch,
                      meanContext);
  text += fmt::format("{:<32}{:.3f} ms = {:.1f} tok/s\n", "roofline decode step",
                      rooflineStepSeconds() * 1e3, batch / std::max(rooflineStepSeconds(), 1e-12));
  text += fmt::format("{:<32}{:.3f} ms = {:.1f} tok/s = {:.1f}% of roofline\n",
                      "measured decode step (ITL)", measuredStepSeconds * 1e3,
                      batch / std::max(measuredStepSeconds, 1e-12), percentOfRoofline());
  return text;
}

nlohmann::json DecodeRoofline::json() const {
  return {{"copy_bytes_per_s", copyBytesPerSecond},
          {"batch", batch},
          {"mean_context", meanContext},
          {"step_weight_bytes", stepBytes.weights},
          {"step_kv_bytes", stepBytes.kv},
          {"step_activation_bytes", stepBytes.activations},
          {"roofline_step_ms", rooflineStepSeconds() * 1e3},
          {"measured_step_ms", measuredStepSeconds * 1e3},
          {"decode_tok_s", batch / std::max(measuredStepSeconds, 1e-12)},
          {"roofline_tok_s", batch / std::max(rooflineStepSeconds(), 1e-12)},
          {"percent_of_roofline", percentOfRoofline()}};
}

} // namespace loom::tools

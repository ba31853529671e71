// KernelTraffic: the bytes each kernel of a package moves through device memory on one step —
// the denominator of "% of roofline" in loom-run bench.
#pragma once

#include "runtime/Package/Manifest.h"

#include <map>
#include <string>

namespace loom::tools {

/// Bytes of one launch, by kind.
struct LaunchBytes {
  uint64_t weights = 0;     ///< weights read (an embedding: only the gathered rows)
  uint64_t kv = 0;          ///< KV cache read (attention: every cached token) or written (append)
  uint64_t activations = 0; ///< inputs, outputs and arena buffers its parameters name
  uint64_t total() const { return weights + kv + activations; }
};

/// How it works: a kernel's bytes are the tensors its parameters name, evaluated at the step's
/// dims (arena buffers by the dtype and shape the compiler wrote into the manifest JSON); what
/// a parameter moves depends on the kernel's graph ops (a table): an embedding reads one row
/// per token, paged attention reads the step's whole context from the KV pool, a KV append
/// writes the step's tokens to it. A lower bound: re-reads (tiles that miss L2) are not counted.
class KernelTraffic {
public:
  /// `manifestJson` is the text `manifest` was parsed from (for buffers' dtype and shape).
  static StatusOr<KernelTraffic> create(const rt::Manifest &manifest, std::string_view manifestJson);

  /// Bytes of kernel `kernelIndex` on a step with `dims` whose sequences hold `contextTokens`
  /// cached tokens in all (after the step).
  StatusOr<LaunchBytes> launchBytes(size_t kernelIndex, const rt::DimValues &dims,
                                    int64_t contextTokens) const;
  /// The sum over the kernels the step launches (Manifest::launches).
  StatusOr<LaunchBytes> stepBytes(const rt::DimValues &dims, int64_t contextTokens) const;

private:
  struct BufferShape {
    size_t elementBytes = 0;
    std::vector<rt::DimExpr> shape;
  };
  explicit KernelTraffic(const rt::Manifest &manifest) : manifest_(&manifest) {}
  StatusOr<uint64_t> activationBytes(const rt::ParamSpec &param, const rt::DimValues &dims) const;

  const rt::Manifest *manifest_;
  std::map<std::string, BufferShape, std::less<>> buffers_;
  std::map<std::string, uint64_t, std::less<>> weightBytes_, weightRowBytes_;
};

} // namespace loom::tools

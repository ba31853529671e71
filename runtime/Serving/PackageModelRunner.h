// PackageModelRunner: the engine's ModelRunner on the GPU — a compiled model package run step by
// step through its PackageExecutor, logits sampled on the host.
#pragma once

#include "runtime/Engine/ModelRunner.h"
#include "runtime/Package/PackageExecutor.h"

namespace loom::rt {

class PackageModelRunner final : public ModelRunner {
public:
  /// `executor` runs a forward-step package (docs/graph-ops.md inputs, output "logits").
  /// kInvalidArgument when the package lacks an input or output the step needs.
  static StatusOr<std::unique_ptr<PackageModelRunner>> create(PackageExecutor &executor,
                                                              const Stream &stream);

  StatusOr<std::vector<TokenId>> run(const ScheduledBatch &batch) override;
  int vocabSize() const { return vocabSize_; }

private:
  PackageModelRunner(PackageExecutor &executor, const Stream &stream, int vocabSize)
      : executor_(executor), stream_(stream), vocabSize_(vocabSize) {}
  PackageExecutor &executor_;
  const Stream &stream_;
  int vocabSize_;
};

} // namespace loom::rt

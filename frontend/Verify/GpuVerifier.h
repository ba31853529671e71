// GpuVerifier: a graph module's compiled kernels on the GPU against the CPU reference
// interpreter on the unfused graph, on the same random inputs and weights (issue 9 item 4).
#pragma once

#include "frontend/Verify/GraphModule.h"
#include "frontend/Verify/GraphSignature.h"
#include "frontend/Verify/OutputCheck.h"
#include "frontend/Verify/SharedWeights.h"
#include "runtime/CUDA/Context.h"
#include "runtime/Package/PackageExecutor.h"
#include "runtime/Support/ThreadPool.h"

#include <memory>

namespace loom::verify {

struct VerifyOptions {
  /// Compile target; empty: the device's (sm_90a on an H100).
  std::string target;
  /// Seed of the random weights (inputs take the seed given to verify()).
  uint64_t weightSeed = 1;
  /// Tolerance in units of the graph's unit roundoff (OutputCheck.h has the rule).
  double ulps = 8.0;
};

/// What one verification found, output by output.
struct VerifyReport {
  rt::DimValues dims;
  std::vector<OutputCheck> outputs;
  std::vector<ref::Shape> shapes; ///< parallel to outputs

  bool passed() const;
  /// One line per output; failing ones name the worst element.
  std::string describe() const;
};

class GpuVerifier {
public:
  /// Parses `moduleText`, draws random weights, compiles a clone with compile() for the target,
  /// and loads the package on `context`'s device (kernels through `compiler`, weights through
  /// their manifest recipes over the same checkpoint tensors the interpreter reads).
  static StatusOr<std::unique_ptr<GpuVerifier>> create(std::string_view moduleText,
                                                       const VerifyOptions &options,
                                                       const rt::Context &context,
                                                       rt::KernelCompiler &compiler);

  /// Draws random inputs for `dims` (seeded; never zero; ids inside their table), runs the
  /// unfused graph in the interpreter and the package on `stream`, and compares every output.
  /// An error Status means the run itself failed; a mismatch is a report that did not pass.
  StatusOr<VerifyReport> verify(const rt::DimValues &dims, uint64_t inputSeed,
                                const rt::Stream &stream);

  const rt::Manifest &manifest() const { return executor_->manifest(); }
  /// The unit roundoff the tolerance uses: that of the least precise float type in the graph.
  double roundoff() const { return roundoff_; }

private:
  GpuVerifier(GraphModule graph, VerifyOptions options)
      : graph_(std::move(graph)), options_(std::move(options)) {}

  GraphModule graph_;
  VerifyOptions options_;
  GraphSignature signature_;
  SharedWeights weights_;
  double roundoff_ = 0;
  ThreadPool pool_;
  std::unique_ptr<rt::PackageExecutor> executor_;
};

/// The whole check in one call: create() with `seed` for the weights, then verify(dims, seed).
StatusOr<VerifyReport> verifyOnGpu(std::string_view moduleText, const rt::DimValues &dims,
                                   uint64_t seed, const rt::Context &context,
                                   rt::KernelCompiler &compiler, const rt::Stream &stream,
                                   VerifyOptions options = {});

/// The unit roundoff of the least precise float type among `function`'s arguments, weights and
/// op results (what the reference rounds to between ops).
double graphRoundoff(mlir::func::FuncOp function);

} // namespace loom::verify

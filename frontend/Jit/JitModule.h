// JitModule: a graph compiled in-process for one GPU target, with its weights and device state;
// called with host or device tensors by input name, it returns the named outputs.
#pragma once

#include "frontend/Jit/CallShapes.h"
#include "frontend/Jit/CompiledGraph.h"
#include "frontend/Models/WeightSource.h"
#include "frontend/Reference/Interpreter/WeightSource.h"
#include "runtime/Package/PackageExecutor.h"
#include "runtime/Support/ThreadPool.h"

#include <map>
#include <memory>
#include <string>

namespace loom {

class JitCache;

/// What jit() compiles for.
struct JitTarget {
  /// "sm_90a", "sm_89", "sm_80", ...; empty: the device's target, or sm_90a without a device.
  std::string arch;
  /// The CUDA device the module runs on.
  int device = 0;
};

/// Host tensors by input or output name (values rounded to their storage type).
using HostTensors = std::map<std::string, ref::HostTensor, std::less<>>;

/// A tensor in device memory, in the storage type the graph declares for it, row-major.
struct DeviceTensor {
  CUdeviceptr address = 0;
  ref::Shape shape;
};
using DeviceTensors = std::map<std::string, DeviceTensor, std::less<>>;

/// Made by jit(). Move-only and not thread-safe (one caller at a time). Nothing touches the GPU
/// until the first call (or load()): compiling, inspecting, binding weights and the reference
/// run work without one.
///
///   auto module = loom::jit(*graph);                // StatusOr<JitModule>
///   module->bindWeights(weights);                   // host tensors by name
///   auto outputs = module->call({{"x", x}});        // StatusOr<HostTensors>
class JitModule {
public:
  /// Use jit(); this wraps a compiled graph from `cache`.
  JitModule(std::shared_ptr<const CompiledGraph> compiled, bool fromCache, int device,
            JitCache &cache);
  JitModule(JitModule &&) noexcept;
  JitModule &operator=(JitModule &&) noexcept;
  ~JitModule();

  // ---- what was compiled ----

  const std::string &cacheKey() const;
  const std::string &arch() const;
  /// True when jit() found the compiled graph in the in-process cache.
  bool fromCache() const;
  /// The MLIR pipeline's time when this graph was compiled (by this or an earlier jit()).
  double compileMilliseconds() const;
  const rt::Manifest &manifest() const;
  /// CUDA C++ of every kernel, by kernel name.
  const std::map<std::string, std::string> &kernelSources() const;
  /// The graph's inputs and outputs: names, storage types, extents (integers or dim names).
  const std::vector<verify::SignatureTensor> &inputs() const;
  const std::vector<verify::SignatureTensor> &outputs() const;
  /// The checkpoint tensors the graph reads.
  const std::vector<GraphWeight> &weights() const;
  /// Declared upper bounds of the dynamic dims (`loom.max_<name>`).
  const rt::DimValues &bounds() const;
  /// The dims a call with inputs of `shapes` runs with; CallShapes.h lists the errors.
  StatusOr<rt::DimValues> callDims(const InputShapes &shapes) const;

  // ---- weights ----

  /// Binds every weight the graph reads from `weights` (rounded to the weight's type);
  /// kNotFound naming a missing one, kInvalidArgument for a shape mismatch. The module keeps
  /// copies: `weights` (and a checkpoint below) may go away after the call. Rebinding waits for
  /// the calls in flight and replaces the weights on the device at the next call.
  Status bindWeights(const HostTensors &weights);
  /// The same from a checkpoint (safetensors, GGUF); `checkpoint` is read only here.
  Status bindWeights(const models::WeightSource &checkpoint);
  /// The same from any reference weight source (ref::MapWeightSource, ...).
  Status bindWeights(ref::WeightSource &source);
  /// Random weights, seeded per name, uniform in ±1/sqrt(fan-in), never zero.
  Status bindRandomWeights(uint64_t seed);

  // ---- running ----

  /// Compiles the kernels with NVRTC (through the kernel cache) for the device and uploads the
  /// weights; the first call does it when not done. kUnavailable without a driver or device.
  Status load();
  /// The device's context (after load()), e.g. to create streams for the device-tensor calls.
  StatusOr<const rt::Context *> context() const;
  /// What loading took (kernels compiled vs from the cache, bytes); null before load().
  const rt::LoadReport *loadReport() const;

  /// Runs the graph on host tensors, one per input (float inputs of another float type are
  /// rounded to the declared one), and returns every output. Synchronous.
  StatusOr<HostTensors> call(const HostTensors &inputs);
  /// Runs on device tensors, enqueued on `stream`: the inputs are read in `stream`'s order (so
  /// work the caller enqueued on it before is seen), and the call returns without waiting. The
  /// outputs are views of the module's own buffers, valid until the next call is enqueued.
  ///
  /// Calls are ordered on the device whatever their streams: each waits (cuStreamWaitEvent, not
  /// the host) for the previous call's work, since all share the module's buffers. What the
  /// caller enqueues after a call to read its output views is not covered: put the next call
  /// on the same stream, or synchronize first. Rebinding weights and destroying the module wait
  /// for the calls in flight.
  StatusOr<DeviceTensors> call(const DeviceTensors &inputs, const rt::Stream &stream);
  /// The same, copying the outputs named in `outputs` into the caller's buffers (their shapes
  /// must be the outputs' shapes for this call) on `stream`; the next call waits for the copies.
  Status call(const DeviceTensors &inputs, const DeviceTensors &outputs, const rt::Stream &stream);

  /// The unfused graph on the CPU reference interpreter with the bound weights: what call()
  /// should return, up to rounding. Row loops run on `pool` when given.
  StatusOr<HostTensors> reference(const HostTensors &inputs, ThreadPool *pool = nullptr) const;

private:
  struct State;
  /// The inputs in argument order, converted to their declared types; checks as callDims().
  StatusOr<std::vector<ref::HostTensor>> convertInputs(const HostTensors &inputs,
                                                       rt::DimValues &dims) const;
  StatusOr<ref::Shape> outputShape(const std::string &name, const rt::DimValues &dims) const;
  /// Copies the inputs into the executor's buffers and runs the program on `stream`; the
  /// outputs are views. The caller orders it after the last call and records it.
  StatusOr<DeviceTensors> enqueue(const DeviceTensors &inputs, const rt::DimValues &dims,
                                  const rt::Stream &stream);
  Status ensureLoaded();
  /// Ok when weights are bound or the graph reads none; else says which bindWeights() needs.
  Status checkWeightsBound() const;
  std::unique_ptr<State> state_;
};

} // namespace loom

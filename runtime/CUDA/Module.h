// Module and Kernel: a loaded cubin and the functions in it, with their launch limits.
#pragma once

#include "runtime/CUDA/Context.h"

#include <atomic>
#include <memory>
#include <string>
#include <string_view>

namespace loom::rt {

/// One __global__ function of a loaded module. Valid while its Module lives.
class Kernel {
public:
  const std::string &name() const { return name_; }
  CUfunction function() const { return function_; }
  const Context &context() const { return *context_; }
  int registers() const { return registers_; }
  int staticSharedBytes() const { return staticSharedBytes_; }
  /// The most threads per block this function can launch with (registers, __launch_bounds__).
  int maxThreadsPerBlock() const { return maxThreadsPerBlock_; }

  /// Raises CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES to at least `bytes` when
  /// static + dynamic shared memory exceeds the 48 KB default. Safe to call on every launch.
  Status reserveDynamicShared(unsigned bytes);

  /// Resident blocks per SM for this block size and dynamic shared memory.
  StatusOr<int> maxActiveBlocksPerMultiprocessor(int blockThreads,
                                                 unsigned dynamicSharedBytes) const;

private:
  friend class Module;
  Kernel(const Context *context, std::string name, CUfunction function)
      : context_(context), name_(std::move(name)), function_(function) {}
  Status readAttributes();

  const Context *context_;
  std::string name_;
  CUfunction function_;
  int registers_ = 0;
  int staticSharedBytes_ = 0;
  int maxThreadsPerBlock_ = 0;
  std::atomic<int> dynamicSharedLimit_{0};
};

/// A cubin loaded into a context; unloaded on destruction.
class Module {
public:
  /// Loads `cubin` (from CompiledKernel::cubin) into `context`, which must be current.
  static StatusOr<std::unique_ptr<Module>> load(const Context &context, std::string_view cubin);
  ~Module();
  Module(const Module &) = delete;
  Module &operator=(const Module &) = delete;

  /// kNotFound when the module has no function `name` (kernels must be extern "C").
  StatusOr<std::unique_ptr<Kernel>> kernel(const std::string &name) const;
  /// The address of the module's `__device__` variable `name` (unmangled), which must be
  /// `bytes` long; kNotFound when the module has none.
  StatusOr<CUdeviceptr> global(const std::string &name, size_t bytes) const;

private:
  Module(const Context *context, CUmodule module) : context_(context), module_(module) {}
  const Context *context_;
  CUmodule module_;
};

} // namespace loom::rt

// Shared fixture of the GPU tests: one context per process, skipping cleanly when there is no
// driver or device; compile-and-load helpers; random inputs; host bf16 rounding.
#pragma once

#include "runtime/CUDA/Context.h"
#include "runtime/CUDA/CudaMemory.h"
#include "runtime/CUDA/DeviceAllocator.h"
#include "runtime/CUDA/KernelCompiler.h"
#include "runtime/CUDA/Launch.h"
#include "runtime/CUDA/Module.h"
#include "runtime/CUDA/Stream.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <random>
#include <vector>

namespace loom::testing {

/// A kernel and the module that keeps it loaded.
struct LoadedKernel {
  std::unique_ptr<rt::Module> module;
  std::unique_ptr<rt::Kernel> kernel;
};

/// The process's GPU context, or the reason there is none.
inline StatusOr<rt::Context *> gpuContext() {
  static StatusOr<std::unique_ptr<rt::Context>> context = rt::Context::create(0);
  if (!context.isOk())
    return context.status();
  return context->get();
}

class GpuTest : public ::testing::Test {
protected:
  void SetUp() override {
    StatusOr<rt::Context *> found = gpuContext();
    if (!found.isOk())
      GTEST_SKIP() << "no usable GPU: " << found.status().toString();
    context_ = *found;
    ASSERT_TRUE(context_->makeCurrent().isOk());
    StatusOr<rt::GpuArch> arch = context_->arch();
    if (!arch.isOk())
      GTEST_SKIP() << arch.status().toString();
    arch_ = *arch;
    auto stream = rt::Stream::create(*context_);
    ASSERT_TRUE(stream.isOk()) << stream.status().toString();
    stream_ = std::move(stream).value();
  }

  /// Compiles through a memory-only cache for this device's target and loads `function`.
  StatusOr<LoadedKernel> compileAndLoad(const std::string &function, const std::string &source) {
    rt::CompileRequest request;
    request.name = function;
    request.source = source;
    request.arch = arch_;
    LOOM_ASSIGN_OR_RETURN(rt::CompileResult compiled, compiler_.compile(request));
    LoadedKernel loaded;
    LOOM_ASSIGN_OR_RETURN(loaded.module, rt::Module::load(*context_, compiled.kernel->cubin));
    LOOM_ASSIGN_OR_RETURN(loaded.kernel, loaded.module->kernel(function));
    return loaded;
  }

  rt::Context *context_ = nullptr;
  rt::GpuArch arch_ = rt::GpuArch::kSm80;
  std::unique_ptr<rt::Stream> stream_;
  rt::KernelCache cache_{""};
  rt::KernelCompiler compiler_{cache_, 2};
};

/// A GpuTest that hands out device buffers living until the test ends, with the copies kernel
/// tests need; outputs start poisoned so an element a kernel fails to write never passes.
class DeviceBufferTest : public GpuTest {
protected:
  void SetUp() override {
    GpuTest::SetUp();
    if (IsSkipped() || HasFatalFailure())
      return;
    backend_ = std::make_unique<rt::CudaMemoryBackend>(*context_);
    allocator_ = std::make_unique<rt::DeviceAllocator>(*backend_);
  }
  void TearDown() override {
    buffers_.clear();
    allocator_.reset();
  }

  uint64_t allocate(size_t bytes) {
    auto buffer = allocator_->allocate(std::max<size_t>(bytes, 16));
    EXPECT_TRUE(buffer.isOk()) << buffer.status().toString();
    if (!buffer.isOk())
      return 0;
    buffers_.push_back(std::move(buffer).value());
    return buffers_.back().address();
  }
  /// A device copy of `values`.
  template <typename E> uint64_t upload(const std::vector<E> &values) {
    const uint64_t address = allocate(values.size() * sizeof(E));
    EXPECT_TRUE(stream_->copyToDevice(address, values.data(), values.size() * sizeof(E)).isOk());
    return address;
  }
  /// A buffer of 0xff bytes: NaN in bf16, f16 and f32.
  uint64_t poisoned(size_t bytes) {
    const uint64_t address = allocate(bytes);
    EXPECT_TRUE(stream_->fill(address, 0xff, bytes).isOk());
    return address;
  }
  /// `count` elements copied back (synchronizes the stream).
  template <typename E> std::vector<E> download(uint64_t address, size_t count) {
    std::vector<E> values(count);
    EXPECT_TRUE(stream_->copyToHost(values.data(), address, count * sizeof(E)).isOk());
    EXPECT_TRUE(stream_->synchronize().isOk());
    return values;
  }

  std::unique_ptr<rt::CudaMemoryBackend> backend_;
  std::unique_ptr<rt::DeviceAllocator> allocator_;
  std::vector<rt::DeviceBuffer> buffers_;
};

/// `count` floats uniform in [-1, 1), seeded; never all zeros.
inline std::vector<float> randomFloats(size_t count, uint32_t seed) {
  std::mt19937 generator(seed);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  std::vector<float> values(count);
  for (float &value : values)
    value = uniform(generator);
  return values;
}

/// f32 -> bf16 bits, round to nearest even (finite inputs).
inline uint16_t bf16Bits(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, sizeof(bits));
  bits += 0x7fffu + ((bits >> 16) & 1u);
  return static_cast<uint16_t>(bits >> 16);
}

inline float bf16ToFloat(uint16_t bits) {
  uint32_t widened = uint32_t(bits) << 16;
  float value;
  std::memcpy(&value, &widened, sizeof(value));
  return value;
}

} // namespace loom::testing

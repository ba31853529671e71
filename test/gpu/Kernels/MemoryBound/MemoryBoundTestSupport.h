// Fixture of the memory-bound GPU tests: the instantiation table compiled once per process,
// host tensors rounded to their storage type, device buffers, and dtype-aware comparison.
#pragma once

#include "MemoryBoundInstantiations.h"
#include "test/gpu/GpuTestSupport.h"

#include "runtime/CUDA/CudaMemory.h"

#include <cmath>
#include <cstring>
#include <map>
#include <string>
#include <vector>

namespace loom::testing {

/// Rounds `value` to `type` (round to nearest even) and back.
inline float roundTo(DType type, float value) {
  switch (type) {
  case DType::kBf16:
    return bf16ToFloat(bf16Bits(value));
  case DType::kF16:
    return float(static_cast<_Float16>(value));
  case DType::kF32:
    return value;
  }
  return value;
}

/// Host values already rounded to their storage type, and their device bytes.
struct HostTensor {
  DType type = DType::kF32;
  std::vector<float> values;

  /// Uniform in [-scale, scale) from a splitmix64 stream (fast for 30M-element tensors), rounded.
  static HostTensor random(DType type, size_t count, uint64_t seed, float scale = 1.0f) {
    HostTensor tensor{type, std::vector<float>(count)};
    uint64_t state = seed * 0x9e3779b97f4a7c15ull + 1;
    for (float &value : tensor.values) {
      uint64_t z = (state += 0x9e3779b97f4a7c15ull);
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
      z ^= z >> 31;
      const float unit = float(z >> 40) * (1.0f / 16777216.0f); // [0, 1)
      value = roundTo(type, scale * (2.0f * unit - 1.0f));
    }
    return tensor;
  }

  size_t size() const { return values.size(); }
  size_t bytes() const { return values.size() * dtypeInfo(type).bytes; }

  std::vector<uint8_t> encode() const {
    std::vector<uint8_t> raw(bytes());
    for (size_t i = 0; i < values.size(); ++i) {
      if (type == DType::kF32) {
        std::memcpy(&raw[4 * i], &values[i], 4);
      } else {
        uint16_t bits;
        if (type == DType::kBf16) {
          bits = bf16Bits(values[i]);
        } else {
          _Float16 half = static_cast<_Float16>(values[i]);
          std::memcpy(&bits, &half, 2);
        }
        std::memcpy(&raw[2 * i], &bits, 2);
      }
    }
    return raw;
  }

  static HostTensor decode(DType type, const std::vector<uint8_t> &raw) {
    HostTensor tensor{type, std::vector<float>(raw.size() / dtypeInfo(type).bytes)};
    for (size_t i = 0; i < tensor.values.size(); ++i) {
      if (type == DType::kF32) {
        std::memcpy(&tensor.values[i], &raw[4 * i], 4);
      } else {
        uint16_t bits;
        std::memcpy(&bits, &raw[2 * i], 2);
        if (type == DType::kBf16) {
          tensor.values[i] = bf16ToFloat(bits);
        } else {
          _Float16 half;
          std::memcpy(&half, &bits, 2);
          tensor.values[i] = float(half);
        }
      }
    }
    return tensor;
  }
};

/// Allowed |got - ref|: one unit in the last place of `type` at |ref| (the f32 math may round
/// either way at a midpoint), and for f32 a few ulps of accumulated f32 math; `absolute` covers
/// results that cancel to near zero.
inline double tolerance(DType type, double ref, double absolute) {
  static const double kRelative[] = {1.0 / 128, 1.0 / 1024, 4e-6}; // bf16, f16, f32
  static const double kSubnormalUlp[] = {0x1p-133, 0x1p-24, 0x1p-149}; // spacing near zero
  const double magnitude = std::fabs(ref);
  const double binade = magnitude > 0 ? std::exp2(std::floor(std::log2(magnitude))) : 0.0;
  return std::max(binade * kRelative[int(type)], kSubnormalUlp[int(type)]) + absolute;
}

/// Compares every element against tolerance(...) + relative * |ref|; reports the count and the
/// first few mismatches.
inline ::testing::AssertionResult allClose(const HostTensor &got, const std::vector<double> &ref,
                                           double absolute = 1e-6, double relative = 0.0) {
  if (got.size() != ref.size())
    return ::testing::AssertionFailure() << "size " << got.size() << " != " << ref.size();
  size_t bad = 0;
  std::string first;
  for (size_t i = 0; i < ref.size(); ++i) {
    const double error = std::fabs(double(got.values[i]) - ref[i]);
    const double allowed = tolerance(got.type, ref[i], absolute) + relative * std::fabs(ref[i]);
    if (!(error <= allowed)) { // NaN fails
      if (++bad <= 5)
        first += fmt::format("\n  [{}] got {} want {} (error {:.3g})", i, got.values[i], ref[i],
                             error);
    }
  }
  if (bad == 0)
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << bad << " of " << ref.size() << " elements differ"
                                       << first;
}

class MemoryBoundGpuTest : public DeviceBufferTest {
protected:
  using DeviceBufferTest::download;
  using DeviceBufferTest::upload;

  /// The kernel `spec` from the process-wide module of the whole instantiation table
  /// (compiled in parallel on first use; a spec missing from the table fails the test).
  rt::Kernel *kernel(const KernelSpec &spec) {
    static std::map<std::string, LoadedKernel> loaded;
    if (loaded.empty()) {
      std::vector<rt::CompileRequest> requests;
      std::vector<KernelSpec> all = memoryBoundKernels();
      for (const KernelSpec &entry : all)
        requests.push_back({entry.name, entry.wrapper, arch_, {}});
      std::vector<StatusOr<rt::CompileResult>> results = compiler_.compileAll(requests);
      for (size_t i = 0; i < all.size(); ++i) {
        EXPECT_TRUE(results[i].isOk()) << results[i].status().toString();
        if (!results[i].isOk())
          continue;
        LoadedKernel entry;
        auto module = rt::Module::load(*context_, results[i]->kernel->cubin);
        EXPECT_TRUE(module.isOk()) << module.status().toString();
        if (!module.isOk())
          continue;
        entry.module = std::move(module).value();
        auto function = entry.module->kernel(all[i].name);
        EXPECT_TRUE(function.isOk()) << function.status().toString();
        if (!function.isOk())
          continue;
        entry.kernel = std::move(function).value();
        loaded.emplace(all[i].name, std::move(entry));
      }
    }
    auto found = loaded.find(spec.name);
    return found == loaded.end() ? nullptr : found->second.kernel.get();
  }

  /// A device buffer holding `tensor`'s bytes; lives until the test ends.
  uint64_t upload(const HostTensor &tensor) { return uploadBytes(tensor.encode()); }
  uint64_t uploadBytes(const std::vector<uint8_t> &bytes) { return upload(bytes); }
  HostTensor download(DType type, uint64_t address, size_t count) {
    return HostTensor::decode(type, download<uint8_t>(address, count * dtypeInfo(type).bytes));
  }

  /// Launches `spec` over `units` (rows, or elements for chains) and waits for it.
  void launch(const KernelSpec &spec, long long units, rt::KernelArgs &args) {
    rt::Kernel *function = kernel(spec);
    ASSERT_NE(function, nullptr) << spec.name << " is not in the instantiation table";
    Status launched = rt::launchKernel(*function, spec.launch(units), args, stream_->handle());
    ASSERT_TRUE(launched.isOk()) << launched.toString();
    ASSERT_TRUE(stream_->synchronize().isOk());
  }

};

} // namespace loom::testing

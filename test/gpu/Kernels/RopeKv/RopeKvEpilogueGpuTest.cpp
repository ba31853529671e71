// The rope + KV-append GEMM epilogue (loom/epilogue_rope_kv.cuh) against the library kernel it
// replaces (loom/kv_append.cuh ropeKvAppend, interleaved): same q output, same paged pools.
#include "test/gpu/GpuTestSupport.h"

#include <fmt/format.h>

#include <cmath>
#include <numeric>

namespace loom::testing {
namespace {

/// The Llama-3.2-1B attention shape (head_dim 64, 32 q heads, 8 KV heads) and its Llama-3 rope.
constexpr int kHeadDim = 64, kHeads = 32, kKvHeads = 8, kBlockSize = 16;
constexpr int kQueryWidth = kHeads * kHeadDim, kKvWidth = kKvHeads * kHeadDim;
constexpr int kRowWidth = kQueryWidth + 2 * kKvWidth;
constexpr int kLayers = 2, kLayer = 1, kRowsPerCta = 4, kThreads = 256;
constexpr const char *kFrequencies = "loom::RopeFrequencies{500000.0f, 32.0f, 1.0f, 4.0f, 8192.0f}";

/// Calls the epilogue once per column pair of `rows` rows of y (f32 accumulators), as a GEMM's
/// threads would; every thread constructs the epilogue first (its frequency table needs the CTA).
std::string epilogueSource() {
  return fmt::format(R"(#include "loom/epilogue_rope_kv.cuh"
extern "C" __global__ __launch_bounds__({5}) void rope_kv_epilogue(const float *y, int rows,
    loom::bf16 *q, const int *positions, const int *slots, loom::bf16 *kCache,
    loom::bf16 *vCache, int layer, int cacheBlocks) {{
  const auto epilogue = loom::epi::makeRopeKvAppend<loom::bf16, {0}, {1}, {2}, {3}>(q, positions,
      slots, kCache, vCache, layer, cacheBlocks, {4});
  constexpr int kPairs = ({1} + 2 * {2}) / 2;
  for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < (long long)rows * kPairs;
       i += (long long)gridDim.x * blockDim.x) {{
    const int row = int(i / kPairs), col = int(i % kPairs) * 2;
    epilogue(row, col, y[(long long)row * ({1} + 2 * {2}) + col],
             y[(long long)row * ({1} + 2 * {2}) + col + 1]);
  }}
}}
)",
                     kHeadDim, kQueryWidth, kKvWidth, kBlockSize, kFrequencies, kThreads);
}

/// The library kernel over the packed, bf16-rounded rows.
std::string librarySource() {
  return fmt::format(R"(#include "loom/kv_append.cuh"
extern "C" __global__ __launch_bounds__(loom::kKvAppendThreads, 1) void rope_kv_library(
    loom::bf16 *qkv, const int *positions, const int *slots, loom::bf16 *kCache,
    loom::bf16 *vCache, int tokens, int layer, int cacheBlocks) {{
  loom::ropeKvAppend<loom::bf16, loom::RopeStyle::kInterleaved, {0}, {1}, {2}, {3}, {4}>(qkv,
      positions, slots, kCache, vCache, tokens, layer, cacheBlocks, {5});
}}
)",
                     kHeads, kKvHeads, kHeadDim, kBlockSize, kRowsPerCta, kFrequencies);
}

std::vector<uint16_t> toBf16(const std::vector<float> &values) {
  std::vector<uint16_t> bits(values.size());
  std::transform(values.begin(), values.end(), bits.begin(), bf16Bits);
  return bits;
}

/// Elements of `got` that differ from `want` by more than one bf16 unit in the last place (and
/// the count of bit-exact ones).
struct Comparison {
  size_t mismatches = 0, exact = 0;
  std::string first;
};
Comparison compare(const std::vector<uint16_t> &got, const std::vector<uint16_t> &want) {
  Comparison result;
  for (size_t i = 0; i < got.size(); ++i) {
    if (got[i] == want[i]) {
      ++result.exact;
      continue;
    }
    const float a = bf16ToFloat(got[i]), b = bf16ToFloat(want[i]);
    if (std::fabs(a - b) <= std::fabs(b) / 128.0f)
      continue;
    if (result.mismatches++ == 0)
      result.first = fmt::format("element {}: {} vs {}", i, a, b);
  }
  return result;
}

class RopeKvEpilogueGpuTest : public DeviceBufferTest, public ::testing::WithParamInterface<int> {};

TEST_P(RopeKvEpilogueGpuTest, MatchesTheLibraryKernel) {
  const int rows = GetParam();
  const int cacheBlocks = 3 * ((rows + kBlockSize - 1) / kBlockSize) + 2;
  std::mt19937 generator{uint32_t(rows)};
  std::vector<int> free(size_t(cacheBlocks) * kBlockSize), slots, positions;
  std::iota(free.begin(), free.end(), 0);
  std::shuffle(free.begin(), free.end(), generator);
  for (int row = 0; row < rows; ++row) {
    slots.push_back(row % 7 == 3 ? -1 : free[size_t(row)]); // padding rows write nothing
    positions.push_back(int(generator() % 70000));
  }
  // Accumulators that bf16 represents exactly, so both paths rotate the same f32 values.
  std::vector<float> y = randomFloats(size_t(rows) * kRowWidth, uint32_t(rows) + 1);
  for (float &value : y)
    value = bf16ToFloat(bf16Bits(value));
  const size_t pool = size_t(kLayers) * cacheBlocks * kBlockSize * kKvWidth;
  const std::vector<uint16_t> kPool = toBf16(randomFloats(pool, uint32_t(rows) + 2));
  const std::vector<uint16_t> vPool = toBf16(randomFloats(pool, uint32_t(rows) + 3));

  auto epilogue = compileAndLoad("rope_kv_epilogue", epilogueSource());
  ASSERT_TRUE(epilogue.isOk()) << epilogue.status().toString();
  auto library = compileAndLoad("rope_kv_library", librarySource());
  ASSERT_TRUE(library.isOk()) << library.status().toString();

  const uint64_t positionsDevice = upload(positions), slotsDevice = upload(slots);
  // Fused: q to its own buffer, k/v to the pools.
  const uint64_t q = poisoned(size_t(rows) * kQueryWidth * 2);
  const uint64_t kFused = upload(kPool), vFused = upload(vPool);
  rt::KernelArgs fusedArgs;
  fusedArgs.add(upload(y)).add(rows).add(q).add(positionsDevice).add(slotsDevice).add(kFused)
      .add(vFused).add(kLayer).add(cacheBlocks);
  const unsigned blocks = unsigned((size_t(rows) * kRowWidth / 2 + kThreads - 1) / kThreads);
  ASSERT_TRUE(rt::launchKernel(*epilogue->kernel, {{blocks, 1, 1}, {kThreads, 1, 1}, 0}, fusedArgs,
                               stream_->handle())
                  .isOk());
  // Library: q and k rotated in place in the packed rows, then k and v copied.
  const uint64_t qkv = upload(toBf16(y));
  const uint64_t kLibrary = upload(kPool), vLibrary = upload(vPool);
  rt::KernelArgs libraryArgs;
  libraryArgs.add(qkv).add(positionsDevice).add(slotsDevice).add(kLibrary).add(vLibrary)
      .add(rows).add(kLayer).add(cacheBlocks);
  const unsigned libraryBlocks = unsigned((rows + kRowsPerCta - 1) / kRowsPerCta);
  ASSERT_TRUE(rt::launchKernel(*library->kernel,
                               {{libraryBlocks, 1, 1}, {128, 1, 1}, 0}, libraryArgs,
                               stream_->handle())
                  .isOk());

  const std::vector<uint16_t> packed = download<uint16_t>(qkv, size_t(rows) * kRowWidth);
  std::vector<uint16_t> libraryQ;
  for (int row = 0; row < rows; ++row)
    libraryQ.insert(libraryQ.end(), packed.begin() + size_t(row) * kRowWidth,
                    packed.begin() + size_t(row) * kRowWidth + kQueryWidth);
  const struct {
    const char *what;
    Comparison result;
    size_t count;
  } checks[] = {
      {"q", compare(download<uint16_t>(q, libraryQ.size()), libraryQ), libraryQ.size()},
      {"k pool", compare(download<uint16_t>(kFused, pool), download<uint16_t>(kLibrary, pool)), pool},
      {"v pool", compare(download<uint16_t>(vFused, pool), download<uint16_t>(vLibrary, pool)), pool},
  };
  for (const auto &check : checks) {
    EXPECT_EQ(check.result.mismatches, 0u) << check.what << ", first " << check.result.first;
    std::printf("rows %d %s: %zu of %zu bit-exact, %zu beyond one bf16 ulp\n", rows, check.what,
                check.result.exact, check.count, check.result.mismatches);
  }
  // v is copied unrotated, so its pool must match bit for bit.
  EXPECT_EQ(checks[2].result.exact, pool);
}

INSTANTIATE_TEST_SUITE_P(Rows, RopeKvEpilogueGpuTest, ::testing::Values(1, 24, 300));

} // namespace
} // namespace loom::testing

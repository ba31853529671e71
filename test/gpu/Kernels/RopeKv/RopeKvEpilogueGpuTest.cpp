// The rope + KV-append GEMM epilogue (loom/epilogue_rope_kv.cuh), in bf16 and f16, against the
// library kernel it replaces (loom/kv_append.cuh ropeKvAppend, interleaved) and as the epilogue
// of loom::gemv, loom::gemm and loom::gemmSkinny: same q output, same paged pools.
// Both sides share loom/rope.cuh's ropeInverseFrequency/ropeAngle; MemoryBound/RopeGpuTest checks
// that math against the host, so these tests check the epilogue's plumbing and its GEMM call path.
#include "test/gpu/GpuTestSupport.h"

#include "compiler/Transforms/Tile/SkinnySharedBytes.h"
#include "runtime/Package/HostConvert.h"

#include <fmt/format.h>

#include <cmath>
#include <numeric>
#include <tuple>

namespace loom::testing {
namespace {

/// The Llama-3.2-1B attention shape (head_dim 64, 32 q heads, 8 KV heads) and its Llama-3 rope.
constexpr int kHeadDim = 64, kHeads = 32, kKvHeads = 8, kBlockSize = 16;
constexpr int kQueryWidth = kHeads * kHeadDim, kKvWidth = kKvHeads * kHeadDim;
constexpr int kRowWidth = kQueryWidth + 2 * kKvWidth;
constexpr int kLayers = 2, kLayer = 1, kRowsPerCta = 4, kThreads = 256;
constexpr const char *kFrequencies = "loom::RopeFrequencies{500000.0f, 32.0f, 1.0f, 4.0f, 8192.0f}";

/// A storage type of the fused path: its device name, host rounding and one unit in the last
/// place relative to the value (the tolerance of the library comparison).
struct Element {
  const char *name;
  uint16_t (*encode)(float);
  float (*decode)(uint16_t);
  float relativeUlp;
};
constexpr Element kBf16{"bf16", rt::floatToBf16, rt::bf16ToFloat, 1.0f / 128};
constexpr Element kF16{"f16", rt::floatToF16, rt::f16ToFloat, 1.0f / 1024};

/// The epilogue's constructor call with the wrappers' parameter names.
std::string makeEpilogueCall(const Element &element) {
  return fmt::format("loom::epi::makeRopeKvAppend<loom::{}, {}, {}, {}, {}>(q, positions, slots, "
                     "kCache, vCache, layer, cacheBlocks, {})",
                     element.name, kHeadDim, kQueryWidth, kKvWidth, kBlockSize, kFrequencies);
}
/// The epilogue's parameters, after the wrapper's own.
std::string epilogueParameters(const Element &element) {
  return fmt::format("loom::{0} *q, const int *positions, const int *slots, loom::{0} *kCache, "
                     "loom::{0} *vCache, int layer, int cacheBlocks",
                     element.name);
}

/// Calls the epilogue once per column pair of `rows` rows of y (f32 accumulators), as a GEMM's
/// threads would; every thread constructs the epilogue first (its frequency table needs the CTA).
std::string epilogueSource(const Element &element) {
  return fmt::format(R"(#include "loom/epilogue_rope_kv.cuh"
extern "C" __global__ __launch_bounds__({0}) void rope_kv_epilogue(const float *y, int rows, {1}) {{
  const auto epilogue = {2};
  constexpr int kPairs = {3} / 2;
  for (long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x; i < (long long)rows * kPairs;
       i += (long long)gridDim.x * blockDim.x) {{
    const int row = int(i / kPairs), col = int(i % kPairs) * 2;
    epilogue(row, col, y[(long long)row * {3} + col], y[(long long)row * {3} + col + 1]);
  }}
}}
)",
                     kThreads, epilogueParameters(element), makeEpilogueCall(element), kRowWidth);
}

/// The library kernel over the packed, rounded rows.
std::string librarySource(const Element &element) {
  return fmt::format(R"(#include "loom/kv_append.cuh"
extern "C" __global__ __launch_bounds__(loom::kKvAppendThreads, 1) void rope_kv_library(
    loom::{6} *qkv, const int *positions, const int *slots, loom::{6} *kCache,
    loom::{6} *vCache, int tokens, int layer, int cacheBlocks) {{
  loom::ropeKvAppend<loom::{6}, loom::RopeStyle::kInterleaved, {0}, {1}, {2}, {3}, {4}>(qkv,
      positions, slots, kCache, vCache, tokens, layer, cacheBlocks, {5});
}}
)",
                     kHeads, kKvHeads, kHeadDim, kBlockSize, kRowsPerCta, kFrequencies, element.name);
}

/// Where a family puts its CTAs (the wrapper contracts of loom/gemv.cuh, loom/gemm.cuh and
/// loom/gemm_skinny.cuh): column blocks on x, and row blocks on y (gemv), folded into x (gemm) or
/// on z with the cluster's K splits on y (gemmSkinny); a split-K gemv's ranks multiply x.
enum class GridLayout { kRowsOnY, kRowsInX, kSplitsOnYRowsOnZ, kSplitsInXRowsOnY };

/// A GEMM family with one config, its launch contract and the rows it runs: a CTA covers `cols`
/// columns and `maxRows` rows.
struct FamilyCase {
  const char *header, *function, *config;
  GridLayout layout;
  int split;                 ///< cluster size along grid y (gemmSkinny) or x (split gemv), else 1
  const char *sharedBytesOf; ///< the Config's dynamic shared bytes expression, or nullptr
  int threads, cols, maxRows, sharedBytes, rows;
  rt::GpuArch minArch;

  rt::LaunchConfig launch() const {
    const unsigned columnBlocks = unsigned(kRowWidth / cols), rowBlocks = unsigned((rows + maxRows - 1) / maxRows);
    rt::LaunchConfig config{{columnBlocks, 1, 1}, {unsigned(threads), 1, 1}, unsigned(sharedBytes)};
    switch (layout) {
    case GridLayout::kRowsOnY: config.grid.y = rowBlocks; break;
    case GridLayout::kRowsInX: config.grid.x *= rowBlocks; break;
    case GridLayout::kSplitsOnYRowsOnZ: config.grid.y = unsigned(split), config.grid.z = rowBlocks; break;
    case GridLayout::kSplitsInXRowsOnY: config.grid.x *= unsigned(split), config.grid.y = rowBlocks; break;
    }
    return config;
  }
};

/// Two wrappers of Y = X · Wᵀ (N = kRowWidth) in one program, as the emitter writes them:
/// linear_rope_kv stores through the epilogue, linear_f32 stores the f32 accumulators. The
/// wrappers assert the threads and shared bytes the test launches with.
std::string linearSource(const Element &element, const FamilyCase &shape) {
  const std::string bounds =
      shape.split == 1                                 ? "Config::kThreads"
      : shape.layout == GridLayout::kSplitsInXRowsOnY ? fmt::format("Config::kThreads) __cluster_dims__({}, 1, 1", shape.split)
                                                       : fmt::format("Config::kThreads, 1) __cluster_dims__(1, {}, 1", shape.split);
  const std::string sharedCheck =
      shape.sharedBytesOf ? fmt::format("static_assert({} == {}, \"the test's dynamic shared bytes\");",
                                        shape.sharedBytesOf, shape.sharedBytes)
                          : "";
  return fmt::format(R"(#include "loom/epilogue_rope_kv.cuh"
#include "loom/{0}.cuh"
using Config = {1};
static_assert(Config::kThreads == {2}, "the test launches {2} threads");
{3}
extern "C" __global__ __launch_bounds__({4}) void linear_rope_kv(const loom::{5} *x,
    const loom::{5} *w, int tokens, int k, {6}) {{
  loom::{7}<Config, loom::{5}, loom::NoPrologue, loom::NoGating>(x, w, tokens, {9}, k,
      loom::NoPrologue{{}}, {8});
}}
extern "C" __global__ __launch_bounds__({4}) void linear_f32(const loom::{5} *x,
    const loom::{5} *w, int tokens, int k, float *y) {{
  loom::{7}<Config, loom::{5}, loom::NoPrologue, loom::NoGating>(x, w, tokens, {9}, k,
      loom::NoPrologue{{}}, loom::epi::makeEpilogue(y, {9}));
}}
)",
                     shape.header, shape.config, shape.threads, sharedCheck, bounds, element.name,
                     epilogueParameters(element), shape.function, makeEpilogueCall(element),
                     kRowWidth);
}

std::vector<uint16_t> encode(const Element &element, const std::vector<float> &values) {
  std::vector<uint16_t> bits(values.size());
  std::transform(values.begin(), values.end(), bits.begin(), element.encode);
  return bits;
}

/// Elements of `got` that differ from `want` by more than one unit in the last place (and the
/// count of bit-exact ones).
struct Comparison {
  size_t mismatches = 0, exact = 0, count = 0;
  std::string first;
};
Comparison compare(const Element &element, const std::vector<uint16_t> &got,
                   const std::vector<uint16_t> &want) {
  Comparison result;
  result.count = got.size();
  for (size_t i = 0; i < got.size(); ++i) {
    if (got[i] == want[i]) {
      ++result.exact;
      continue;
    }
    const float a = element.decode(got[i]), b = element.decode(want[i]);
    if (std::fabs(a - b) <= std::fabs(b) * element.relativeUlp)
      continue;
    if (result.mismatches++ == 0)
      result.first = fmt::format("element {}: {} vs {}", i, a, b);
  }
  return result;
}

/// The epilogue's inputs and outputs on the device: positions, slots (every 7th row padding,
/// the rest distinct shuffled slots), a q buffer and k/v pools of kLayers layers that start with
/// random values; two States made with the same rows are equal.
struct State {
  int rows = 0, cacheBlocks = 0;
  size_t pool = 0;
  uint64_t positions = 0, slots = 0, q = 0, kCache = 0, vCache = 0;
};

class RopeKvTest : public DeviceBufferTest {
protected:
  State makeState(const Element &element, int rows) {
    State state;
    state.rows = rows;
    state.cacheBlocks = 3 * ((rows + kBlockSize - 1) / kBlockSize) + 2;
    std::mt19937 generator{uint32_t(rows)};
    std::vector<int> free(size_t(state.cacheBlocks) * kBlockSize), slots, positions;
    std::iota(free.begin(), free.end(), 0);
    std::shuffle(free.begin(), free.end(), generator);
    for (int row = 0; row < rows; ++row) {
      slots.push_back(row % 7 == 3 ? -1 : free[size_t(row)]); // padding rows write nothing
      positions.push_back(int(generator() % 70000));
    }
    state.positions = upload(positions);
    state.slots = upload(slots);
    state.q = poisoned(size_t(rows) * kQueryWidth * 2);
    state.pool = size_t(kLayers) * state.cacheBlocks * kBlockSize * kKvWidth;
    state.kCache = upload(encode(element, randomFloats(state.pool, uint32_t(rows) + 2)));
    state.vCache = upload(encode(element, randomFloats(state.pool, uint32_t(rows) + 3)));
    return state;
  }
  /// Appends the epilogue's arguments (after the wrapper's own) for `state`.
  static void addEpilogueArgs(const State &state, rt::KernelArgs &args) {
    args.add(state.q).add(state.positions).add(state.slots).add(state.kCache).add(state.vCache)
        .add(kLayer).add(state.cacheBlocks);
  }
  /// Runs the grid-stride epilogue kernel over the f32 rows at `y`.
  void runEpilogue(const Element &element, uint64_t y, const State &state) {
    auto epilogue = compileAndLoad("rope_kv_epilogue", epilogueSource(element));
    ASSERT_TRUE(epilogue.isOk()) << epilogue.status().toString();
    rt::KernelArgs args;
    args.add(y).add(state.rows);
    addEpilogueArgs(state, args);
    const unsigned blocks = unsigned((size_t(state.rows) * kRowWidth / 2 + kThreads - 1) / kThreads);
    ASSERT_TRUE(rt::launchKernel(*epilogue->kernel, {{blocks, 1, 1}, {kThreads, 1, 1}, 0}, args,
                                 stream_->handle())
                    .isOk());
  }
  /// Compares the q buffers and both pools of two States; `exact` demands bit-equal values.
  void expectSame(const Element &element, const State &got, const State &want,
                  const std::vector<uint16_t> &wantQ, bool exact) {
    const size_t pool = got.pool;
    const struct {
      const char *what;
      Comparison result;
    } checks[] = {
        {"q", compare(element, download<uint16_t>(got.q, wantQ.size()), wantQ)},
        {"k pool", compare(element, download<uint16_t>(got.kCache, pool), download<uint16_t>(want.kCache, pool))},
        {"v pool", compare(element, download<uint16_t>(got.vCache, pool), download<uint16_t>(want.vCache, pool))},
    };
    for (const auto &check : checks) {
      EXPECT_EQ(check.result.mismatches, 0u) << check.what << ", first " << check.result.first;
      if (exact) {
        EXPECT_EQ(check.result.exact, check.result.count) << check.what << " is not bit-exact";
      }
      std::printf("%s rows %d %s: %zu of %zu bit-exact, %zu beyond one ulp\n", element.name,
                  got.rows, check.what, check.result.exact, check.result.count,
                  check.result.mismatches);
    }
    // v is copied unrotated, so its pool must match bit for bit.
    EXPECT_EQ(checks[2].result.exact, pool);
  }
};

std::string elementName(const Element &element) { return element.name; }
void PrintTo(const Element &element, std::ostream *out) { *out << element.name; }
void PrintTo(const FamilyCase &shape, std::ostream *out) {
  *out << shape.config << " at " << shape.rows << " rows";
}

class RopeKvEpilogueGpuTest : public RopeKvTest,
                              public ::testing::WithParamInterface<std::tuple<Element, int>> {};

TEST_P(RopeKvEpilogueGpuTest, MatchesTheLibraryKernel) {
  const auto &[element, rows] = GetParam();
  // Accumulators the element type represents exactly, so both paths rotate the same f32 values.
  std::vector<float> y = randomFloats(size_t(rows) * kRowWidth, uint32_t(rows) + 1);
  for (float &value : y)
    value = element.decode(element.encode(value));
  const State fused = makeState(element, rows), library = makeState(element, rows);
  // Fused: q to its own buffer, k/v to the pools.
  runEpilogue(element, upload(y), fused);
  // Library: q and k rotated in place in the packed rows, then k and v copied.
  auto kernel = compileAndLoad("rope_kv_library", librarySource(element));
  ASSERT_TRUE(kernel.isOk()) << kernel.status().toString();
  const uint64_t qkv = upload(encode(element, y));
  rt::KernelArgs args;
  args.add(qkv).add(library.positions).add(library.slots).add(library.kCache).add(library.vCache)
      .add(rows).add(kLayer).add(library.cacheBlocks);
  const unsigned blocks = unsigned((rows + kRowsPerCta - 1) / kRowsPerCta);
  ASSERT_TRUE(rt::launchKernel(*kernel->kernel, {{blocks, 1, 1}, {128, 1, 1}, 0}, args,
                               stream_->handle())
                  .isOk());

  const std::vector<uint16_t> packed = download<uint16_t>(qkv, size_t(rows) * kRowWidth);
  std::vector<uint16_t> libraryQ;
  for (int row = 0; row < rows; ++row)
    libraryQ.insert(libraryQ.end(), packed.begin() + size_t(row) * kRowWidth,
                    packed.begin() + size_t(row) * kRowWidth + kQueryWidth);
  expectSame(element, fused, library, libraryQ, /*exact=*/false);
}

INSTANTIATE_TEST_SUITE_P(Rows, RopeKvEpilogueGpuTest,
                         ::testing::Combine(::testing::Values(kBf16, kF16),
                                            ::testing::Values(1, 24, 300)),
                         [](const auto &info) {
                           return fmt::format("{}_{}", elementName(std::get<0>(info.param)),
                                              std::get<1>(info.param));
                         });

/// The epilogue as a GEMM family's: loom::gemv constructs it in every thread before its early
/// returns (`pair >= MAX_M · kCols / 2`, `row >= M`), loom::gemm at the call over partial row
/// tiles, loom::gemmSkinny at the call of a 2-CTA cluster that stores after the DSMEM reduction.
/// Reference: the same GEMM storing f32, then the grid-stride epilogue kernel above (checked
/// against the library kernel) over those values; both round the same f32 values once, so they
/// must agree bit for bit.
class RopeKvLinearGpuTest : public RopeKvTest,
                            public ::testing::WithParamInterface<std::tuple<Element, FamilyCase>> {};

TEST_P(RopeKvLinearGpuTest, MatchesTheEpilogueOverTheGemmAccumulators) {
  const auto &[element, shape] = GetParam();
  if (arch_ < shape.minArch)
    GTEST_SKIP() << shape.function << " needs a newer GPU";
  const int rows = shape.rows, k = 256;
  const uint64_t x = upload(encode(element, randomFloats(size_t(rows) * k, 11)));
  const uint64_t w = upload(encode(element, randomFloats(size_t(kRowWidth) * k, 12)));
  const std::string kernels = linearSource(element, shape);
  auto fusedKernel = compileAndLoad("linear_rope_kv", kernels);
  ASSERT_TRUE(fusedKernel.isOk()) << fusedKernel.status().toString();
  auto f32Kernel = compileAndLoad("linear_f32", kernels);
  ASSERT_TRUE(f32Kernel.isOk()) << f32Kernel.status().toString();

  const State fused = makeState(element, rows), reference = makeState(element, rows);
  rt::KernelArgs fusedArgs;
  fusedArgs.add(x).add(w).add(rows).add(k);
  addEpilogueArgs(fused, fusedArgs);
  ASSERT_TRUE(rt::launchKernel(*fusedKernel->kernel, shape.launch(), fusedArgs, stream_->handle()).isOk());

  const uint64_t y = poisoned(size_t(rows) * kRowWidth * 4);
  rt::KernelArgs f32Args;
  f32Args.add(x).add(w).add(rows).add(k).add(y);
  ASSERT_TRUE(rt::launchKernel(*f32Kernel->kernel, shape.launch(), f32Args, stream_->handle()).isOk());
  runEpilogue(element, y, reference);
  expectSame(element, fused, reference,
             download<uint16_t>(reference.q, size_t(rows) * kQueryWidth), /*exact=*/true);
}

/// The decode GEMVs tile-tiling picks for the QKV GEMM (MAX_M 8: 448 of 512 threads return
/// before the epilogue; MAX_M 16), and the configs emit-rope-kv-epilogue-f16.mlir emits: the
/// mma.sync GEMM over 300 rows (a partial last row tile) and the split-K skinny GEMM (sm_90); a
/// split-K gemv (sm_90: 2 ranks of 2 warps, each rank half of K = 256, rank 0 stores).
constexpr FamilyCase kFamilyCases[] = {
    {"gemv", "gemv", "loom::GemvConfig<16, 8, 1, 2>", GridLayout::kRowsOnY, 1, nullptr, 512, 16, 8, 0, 1, rt::GpuArch::kSm80},
    {"gemv", "gemv", "loom::GemvConfig<16, 8, 1, 2>", GridLayout::kRowsOnY, 1, nullptr, 512, 16, 8, 0, 8, rt::GpuArch::kSm80},
    {"gemv", "gemv", "loom::GemvConfig<8, 16, 1, 2>", GridLayout::kRowsOnY, 1, nullptr, 256, 16, 16, 0, 13, rt::GpuArch::kSm80},
    {"gemv", "gemv", "loom::GemvConfig<2, 8, 1, 2, 0, 2>", GridLayout::kSplitsInXRowsOnY, 2, nullptr, 64, 16, 8, 0, 5, rt::GpuArch::kSm90},
    {"gemm", "gemm", "loom::GemmConfig<128, 64, 64, 2, 2, 4>", GridLayout::kRowsInX, 1, "Config::sharedBytes(1)", 128, 64, 128, 98304, 300, rt::GpuArch::kSm80},
    {"gemm_skinny", "gemmSkinny", "loom::SkinnyConfig<128, 2, 3>", GridLayout::kSplitsOnYRowsOnZ, 2, "Config::sharedBytes", 256, 128, 128, int(tile::skinnySharedBytes(128, 3)), 24, rt::GpuArch::kSm90},
};

INSTANTIATE_TEST_SUITE_P(Families, RopeKvLinearGpuTest,
                         ::testing::Combine(::testing::Values(kBf16, kF16),
                                            ::testing::ValuesIn(kFamilyCases)),
                         [](const auto &info) {
                           const FamilyCase &shape = std::get<1>(info.param);
                           return fmt::format("{}_{}_max_m{}_rows{}",
                                              elementName(std::get<0>(info.param)), shape.header,
                                              shape.maxRows, shape.rows);
                         });

} // namespace
} // namespace loom::testing

// loom/kv_append.cuh ropeKvAppend with f32 and small heads (stories260k: head_dim 8, 8 query / 4
// KV heads) on the GPU vs a float64 CPU reference: Q and K rotated in place in the packed QKV
// rows, rotated K and V copied into their paged-cache slots, a padding slot (-1) writes nothing.
#include "SimtKernels.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

namespace loom::testing {
namespace {

/// Rotates one head of `row` in place (float64), as graph.rope defines it.
void rotate(double *head, int headDim, bool interleaved, int position) {
  for (int i = 0; i < headDim / 2; ++i) {
    const double angle = position * std::pow(10000.0, -2.0 * i / headDim);
    const int a = interleaved ? 2 * i : i, b = interleaved ? 2 * i + 1 : i + headDim / 2;
    const double x = head[a], y = head[b];
    head[a] = x * std::cos(angle) - y * std::sin(angle);
    head[b] = y * std::cos(angle) + x * std::sin(angle);
  }
}

class RopeKvAppendGpuTest : public SimtGpuTest, public ::testing::WithParamInterface<int> {};

TEST_P(RopeKvAppendGpuTest, MatchesFloat64Reference) {
  const RopeCase &c = kRopeCases[GetParam()];
  rt::Kernel *function = kernel(c.name(), c.source());
  ASSERT_NE(function, nullptr);
  const int tokens = 37, layers = 2, layer = 1, cacheBlocks = 5, D = c.headDim;
  const int width = (c.heads + 2 * c.kvHeads) * D, kvWidth = c.kvHeads * D;
  std::vector<int> slots(cacheBlocks * RopeCase::kBlockSize);
  std::iota(slots.begin(), slots.end(), 0);
  std::shuffle(slots.begin(), slots.end(), std::mt19937(GetParam()));
  slots.resize(tokens);
  slots[5] = -1; // a padding token
  std::vector<int> positions(tokens);
  for (int t = 0; t < tokens; ++t)
    positions[t] = (t * 37 + 11) % 500;
  const std::vector<float> qkv = randomValues(c.element, size_t(tokens) * width, 100 + GetParam());
  const size_t poolElements = size_t(layers) * cacheBlocks * RopeCase::kBlockSize * kvWidth;
  const size_t bytes = elementInfo(c.element).bytes;
  const uint64_t qkvDevice = uploadAs(c.element, qkv), kPool = poisoned(poolElements * bytes),
                 vPool = poisoned(poolElements * bytes);
  rt::KernelArgs args;
  args.add(qkvDevice).add(upload(positions)).add(upload(slots)).add(kPool).add(vPool).add(tokens).add(layer);
  args.add(cacheBlocks);
  rt::LaunchConfig config;
  config.grid.x = unsigned((tokens + RopeCase::kRows - 1) / RopeCase::kRows);
  config.block.x = RopeCase::kThreads;
  ASSERT_TRUE(rt::launchKernel(*function, config, args, stream_->handle()).isOk());
  const std::vector<float> rotated = downloadAs(c.element, qkvDevice, qkv.size());
  const std::vector<float> kGot = downloadAs(c.element, kPool, poolElements);
  const std::vector<float> vGot = downloadAs(c.element, vPool, poolElements);

  const double rtol = c.element == Element::kBf16 ? 1.0 / 256 : c.element == Element::kF16 ? 1.0 / 1024 : 1e-5;
  const double atol = c.element == Element::kF32 ? 2e-6 : 1e-3;
  size_t written = 0;
  for (int t = 0; t < tokens; ++t) {
    std::vector<double> want(qkv.begin() + size_t(t) * width, qkv.begin() + size_t(t + 1) * width);
    for (int head = 0; head < c.heads + c.kvHeads; ++head) // Q heads, then K heads
      rotate(&want[size_t(head) * D], D, c.interleaved, positions[t]);
    for (int e = 0; e < width; ++e)
      ASSERT_NEAR(rotated[size_t(t) * width + e], want[e], atol + rtol * std::fabs(want[e]))
          << "token " << t << " element " << e;
    if (slots[t] < 0)
      continue;
    const size_t row = (size_t(layer) * cacheBlocks * RopeCase::kBlockSize + slots[t]) * kvWidth;
    for (int e = 0; e < kvWidth; ++e) {
      EXPECT_EQ(kGot[row + e], rotated[size_t(t) * width + c.heads * D + e]) << "K of token " << t;
      EXPECT_EQ(vGot[row + e], qkv[size_t(t) * width + c.heads * D + kvWidth + e]) << "V of token " << t;
    }
    written += 2 * kvWidth;
  }
  // Every other pool element is still the poison: the padding token and no stray writes.
  const size_t untouched = std::count_if(kGot.begin(), kGot.end(), [](float v) { return std::isnan(v); }) +
                           std::count_if(vGot.begin(), vGot.end(), [](float v) { return std::isnan(v); });
  EXPECT_EQ(untouched + written, 2 * poolElements);
}

INSTANTIATE_TEST_SUITE_P(Cases, RopeKvAppendGpuTest, ::testing::Range(0, int(std::size(kRopeCases))),
                         [](const auto &param) { return kRopeCases[param.param].name(); });

} // namespace
} // namespace loom::testing

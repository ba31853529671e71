// kvAppend and the fused ropeKvAppend: rows land bit-exactly in their (random, non-contiguous)
// slots of the right layer, padding slots (-1) write nothing, nothing else in the pools changes,
// and the rotated Q and K match a float64 RoPE (rotate-half, interleaved, Llama-3 scaling).
#include "AttentionGpuFixture.h"

namespace loom::testing {
namespace {

using KvAppendGpuTest = AttentionGpuTest;

/// transformers' _compute_llama3_parameters, in double.
double inverseFrequency(const RopeParameters &rope, int pair, int headDim) {
  const double inverse = std::pow(double(rope.theta), -2.0 * pair / headDim);
  if (!(rope.factor > 0))
    return inverse;
  const double wavelength = 2 * M_PI / inverse;
  const double low = rope.originalMaxPosition / rope.lowFreqFactor;
  const double high = rope.originalMaxPosition / rope.highFreqFactor;
  if (wavelength < high)
    return inverse;
  if (wavelength > low)
    return inverse / rope.factor;
  const double smooth = (rope.originalMaxPosition / wavelength - rope.lowFreqFactor) /
                        (rope.highFreqFactor - rope.lowFreqFactor);
  return (1 - smooth) * inverse / rope.factor + smooth * inverse;
}

/// One head rotated by `position`, in double.
std::vector<double> rotated(const float *head, int headDim, int position,
                            const RopeParameters &rope) {
  std::vector<double> out(headDim);
  for (int i = 0; i < headDim / 2; ++i) {
    const int a = rope.interleaved ? 2 * i : i, b = rope.interleaved ? 2 * i + 1 : i + headDim / 2;
    const double angle = position * inverseFrequency(rope, i, headDim);
    out[a] = head[a] * std::cos(angle) - head[b] * std::sin(angle);
    out[b] = head[b] * std::cos(angle) + head[a] * std::sin(angle);
  }
  return out;
}

/// A step of `tokens` rows appended into a pool of `cacheBlocks` blocks per layer.
struct AppendStep {
  AttentionShape shape;
  int tokens, cacheBlocks, layers = 2, layer = 1;
  std::vector<int> slots, positions;
  std::vector<float> qkv, kPool, vPool;
  int rowWidth() const { return (shape.heads + 2 * shape.kvHeads) * shape.headDim; }
  size_t slotOffset(int slot, int kvHead) const {
    return ((size_t(layer) * cacheBlocks * shape.blockSize + slot) * shape.kvHeads + kvHead) *
           shape.headDim;
  }

  static AppendStep random(AttentionShape shape, int tokens, uint64_t seed) {
    AppendStep step{shape, tokens, 3 * ((tokens + shape.blockSize - 1) / shape.blockSize) + 2};
    std::vector<int> free(size_t(step.cacheBlocks) * shape.blockSize);
    std::iota(free.begin(), free.end(), 0);
    std::mt19937 generator{uint32_t(seed)};
    std::shuffle(free.begin(), free.end(), generator);
    for (int t = 0; t < tokens; ++t) {
      step.slots.push_back(t % 7 == 3 ? -1 : free[t]); // some padding rows
      step.positions.push_back(int(generator() % 70000));
    }
    const size_t pool = size_t(step.layers) * step.cacheBlocks * shape.blockSize *
                        shape.kvHeads * shape.headDim;
    step.qkv = randomRounded(shape.type, size_t(tokens) * step.rowWidth(), seed + 1);
    step.kPool = randomRounded(shape.type, pool, seed + 2);
    step.vPool = randomRounded(shape.type, pool, seed + 3);
    return step;
  }
};

/// Every element within one unit in the last place of `type` (plus a tiny absolute slack).
::testing::AssertionResult withinRounding(AttentionType type, float got, double want) {
  const double ulp = type == AttentionType::kBf16 ? 1.0 / 128 : 1.0 / 1024;
  if (std::fabs(got - want) <= ulp * std::fabs(want) + 1e-6)
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "got " << got << " want " << want;
}

void checkStep(const AppendStep &step, bool fusedRope, const RopeParameters &rope,
               const std::vector<float> &qkvOut, const std::vector<float> &kOut,
               const std::vector<float> &vOut) {
  const int D = step.shape.headDim, Hq = step.shape.heads, Hkv = step.shape.kvHeads;
  std::vector<float> kWant = step.kPool, vWant = step.vPool;
  std::vector<bool> rotatedK(kWant.size(), false);
  size_t mismatches = 0;
  for (int t = 0; t < step.tokens; ++t) {
    const float *row = &step.qkv[size_t(t) * step.rowWidth()];
    for (int h = 0; fusedRope && h < Hq; ++h) {
      const std::vector<double> want = rotated(row + h * D, D, step.positions[t], rope);
      for (int d = 0; d < D; ++d)
        if (!withinRounding(step.shape.type, qkvOut[size_t(t) * step.rowWidth() + h * D + d],
                            want[d]) &&
            ++mismatches <= 5)
          ADD_FAILURE() << "q token " << t << " head " << h << " d " << d;
    }
    if (step.slots[t] < 0)
      continue;
    for (int h = 0; h < Hkv; ++h) {
      const size_t at = step.slotOffset(step.slots[t], h);
      const float *k = row + (Hq + h) * D, *v = row + (Hq + Hkv + h) * D;
      std::copy(v, v + D, vWant.begin() + at);
      if (fusedRope) {
        const std::vector<double> want = rotated(k, D, step.positions[t], rope);
        for (int d = 0; d < D; ++d) {
          if (!withinRounding(step.shape.type, kOut[at + d], want[d]) && ++mismatches <= 5)
            ADD_FAILURE() << "k token " << t << " head " << h << " d " << d;
          kWant[at + d] = kOut[at + d];
          rotatedK[at + d] = true;
        }
      } else {
        std::copy(k, k + D, kWant.begin() + at);
      }
    }
  }
  EXPECT_EQ(mismatches, 0u);
  // Bit-exact elsewhere: copied rows, and every element no slot names is untouched.
  size_t differing = 0;
  for (size_t i = 0; i < kWant.size(); ++i)
    differing += (kOut[i] != kWant[i]) + (vOut[i] != vWant[i]);
  EXPECT_EQ(differing, 0u) << "pool elements differ from the expected appended pool";
}

class KvAppendCase : public KvAppendGpuTest,
                     public ::testing::WithParamInterface<KvAppendKernelSpec> {};

TEST_P(KvAppendCase, MatchesReference) {
  const KvAppendKernelSpec spec = GetParam();
  for (int tokens : {1, 37, 300}) {
    SCOPED_TRACE(fmt::format("{} tokens {}", spec.name(), tokens));
    const AppendStep step = AppendStep::random(spec.shape, tokens, 31 + tokens);
    const AttentionType type = spec.shape.type;
    const uint64_t qkv = upload16(type, step.qkv), kPool = upload16(type, step.kPool);
    const uint64_t vPool = upload16(type, step.vPool);
    const uint64_t slots = upload(step.slots), positions = upload(step.positions);
    rt::KernelArgs args;
    if (spec.fusedRope) {
      args.add(qkv).add(positions).add(slots).add(kPool).add(vPool);
    } else {
      const int kOffset = spec.shape.heads * spec.shape.headDim;
      const uint64_t k = qkv + 2ull * kOffset;
      const uint64_t v = k + 2ull * spec.shape.kvHeads * spec.shape.headDim;
      args.add(k).add(v).add(step.rowWidth()).add(slots).add(kPool).add(vPool);
    }
    args.add(tokens).add(step.layer).add(step.cacheBlocks);
    launch(spec.name(), spec.launch(tokens), args);
    checkStep(step, spec.fusedRope, spec.rope, download16(type, qkv, step.qkv.size()),
              download16(type, kPool, step.kPool.size()),
              download16(type, vPool, step.vPool.size()));
  }
}

INSTANTIATE_TEST_SUITE_P(Kernels, KvAppendCase, ::testing::ValuesIn(testKvAppendKernels()),
                         [](const auto &info) { return info.param.name(); });

} // namespace
} // namespace loom::testing

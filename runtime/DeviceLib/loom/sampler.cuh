// loom/sampler.cuh: one token per logits row — greedy, temperature, top-k, top-p, min-p, repetition
// penalty and a per-request seed, with the exact rules of the engine's host sampler.
//
// Wrapper contract: `extern "C" __global__ __launch_bounds__(THREADS) void f(const float *logits,
//   float *work, int *out, const loom::SamplerRow *rows, const int *history, int vocab)` calling
//   sampleRow<THREADS>(logits, work, out, rows, history, vocab); THREADS a multiple of 32 up to
//   1024 (1024 for vocabulary rows), block = (THREADS, 1, 1), grid = (numRows, 1, 1), no dynamic
//   shared memory. logits is contiguous [*, vocab] f32 and row r samples logits row
//   rows[r].logitsRow; work is [numRows, vocab] f32 scratch (the penalized logits); out is
//   [numRows] i32; rows is [numRows] SamplerRow; history holds each row's prompt + generated
//   tokens at [historyBegin, historyEnd) (ids outside [0, vocab) are ignored).
//
// Semantics (runtime/Engine/HostSampler.h): the repetition penalty divides the positive logits of
// the distinct history tokens by `penalty` and multiplies the others; temperature 0 takes the
// argmax (lowest index on ties). Otherwise s = logit / temperature (f64); top-k keeps s >= the
// k-th largest; p = softmax(s) in f64; top-p keeps p >= the probability at which the descending
// cumulative mass first reaches top_p; the kept mass is renormalized; min-p keeps p >= min_p * max p,
// renormalized; one SplitMix64 draw u (SamplerRng::forToken(seed, tokenIndex)) picks the first
// token in index order whose cumulative probability exceeds u (the last kept one if rounding left
// u above the total). Sums are taken in a different order than on the host, so a token differs
// only where u falls within rounding of a cumulative boundary.
//
// How it works: one CTA per row. The thresholds of top-k and top-p are found without sorting by a
// radix select over the order-preserving 32-bit keys of the penalized logits (4 passes of 8 bits,
// a 256-bin f64 histogram in shared memory): the largest key whose "weight at or above it" reaches
// the target, the weight being 1 (top-k) or the probability (top-p). The draw is a block-wide
// prefix sum over contiguous per-thread chunks in token order.
#pragma once

namespace loom {

/// One row's sampling parameters; the host mirrors this layout (48 bytes).
struct SamplerRow {
  float temperature;        ///< 0 = greedy
  float topP;               ///< 1 = off
  float minP;               ///< 0 = off
  float repetitionPenalty;  ///< 1 = off
  int topK;                 ///< 0 = off
  int historyBegin, historyEnd;
  int logitsRow;                 ///< the row of `logits` this row samples
  unsigned long long seed;       ///< the request's seed (0 when it has none)
  unsigned long long tokenIndex; ///< how many tokens the request generated before this one
};

/// SplitMix64, as rt::SamplerRng.
struct SplitMix64 {
  unsigned long long state;
  __device__ __forceinline__ unsigned long long next() {
    unsigned long long z = (state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  /// rt::SamplerRng::forToken.
  static __device__ __forceinline__ SplitMix64 forToken(unsigned long long seed,
                                                        unsigned long long tokenIndex) {
    SplitMix64 mixer{seed ^ (tokenIndex * 0xd1b54a32d192ed03ull)};
    return SplitMix64{mixer.next()};
  }
  /// Uniform in [0, 1) with 53 random bits.
  __device__ __forceinline__ double uniform() { return (double)(next() >> 11) * 0x1.0p-53; }
};

/// Order-preserving key of a float (-0 and +0 equal): a < b  <=>  key(a) < key(b).
__device__ __forceinline__ unsigned samplerKey(float value) {
  unsigned bits = value == 0.0f ? 0u : __float_as_uint(value);
  return (bits & 0x80000000u) ? ~bits : (bits | 0x80000000u);
}

/// Shared state of one row's CTA.
struct SamplerShared {
  double bins[256];
  double scratch[32];
  unsigned chosenKey;
  bool found;
  int chosenIndex;
};

/// Block-wide sum of a double (every thread gets the result).
template <int kThreads>
__device__ __forceinline__ double samplerBlockSum(double value, SamplerShared &shared) {
  for (int offset = 16; offset > 0; offset >>= 1)
    value += __shfl_xor_sync(0xffffffffu, value, offset);
  __syncthreads();
  if (threadIdx.x % 32 == 0)
    shared.scratch[threadIdx.x / 32] = value;
  __syncthreads();
  double total = 0.0;
  for (int w = 0; w < kThreads / 32; ++w)
    total += shared.scratch[w];
  __syncthreads();
  return total;
}

/// The largest key K among the row's keys with weight(keys >= K) >= target, or 0 (keep every
/// element) when the whole row weighs less than the target.
template <int kThreads, typename Weight>
__device__ unsigned samplerSelectKey(const float *work, int vocab, double target, Weight weight,
                                     SamplerShared &shared) {
  unsigned prefix = 0, prefixMask = 0;
  double above = 0.0; // thread 0: weight of the elements whose key is above the current prefix
  for (int shift = 24; shift >= 0; shift -= 8) {
    for (int b = threadIdx.x; b < 256; b += kThreads)
      shared.bins[b] = 0.0;
    __syncthreads();
    for (int i = threadIdx.x; i < vocab; i += kThreads) {
      const unsigned key = samplerKey(work[i]);
      if ((key & prefixMask) == prefix)
        atomicAdd(&shared.bins[(key >> shift) & 255u], weight(i, key));
    }
    __syncthreads();
    if (threadIdx.x == 0) {
      shared.found = false;
      int lowest = 0; // the lowest bin holding weight
      for (int b = 255; b >= 0; --b) {
        if (above + shared.bins[b] >= target) {
          shared.chosenKey = prefix | ((unsigned)b << shift);
          shared.found = true;
          break;
        }
        above += shared.bins[b];
        lowest = shared.bins[b] > 0.0 ? b : lowest;
      }
      // Past the first pass the prefix's bin reached the target, so only the atomics' summation
      // order can miss it: the crossing is then at the prefix's lowest element.
      if (!shared.found && shift < 24) {
        shared.chosenKey = prefix | ((unsigned)lowest << shift);
        shared.found = true;
        above -= shared.bins[lowest];
      }
    }
    __syncthreads();
    if (!shared.found)
      return 0u;
    prefix = shared.chosenKey;
    prefixMask |= 255u << shift;
    __syncthreads();
  }
  return prefix;
}

template <int kThreads>
__device__ void sampleRow(const float *logits, float *work, int *out, const SamplerRow *rows,
                          const int *history, int vocab) {
  __shared__ SamplerShared shared;
  const SamplerRow p = rows[blockIdx.x];
  const float *x = logits + (long long)p.logitsRow * vocab;
  float *w = work + (long long)blockIdx.x * vocab;

  // Repetition penalty: each history token's logit is recomputed from the original, so repeated
  // tokens write the same value and count once.
  for (int i = threadIdx.x; i < vocab; i += kThreads)
    w[i] = x[i];
  __syncthreads();
  if (p.repetitionPenalty != 1.0f)
    for (int h = p.historyBegin + threadIdx.x; h < p.historyEnd; h += kThreads) {
      const int token = history[h];
      if (token >= 0 && token < vocab) {
        const float v = x[token];
        w[token] = v > 0.0f ? v / p.repetitionPenalty : v * p.repetitionPenalty;
      }
    }
  __syncthreads();

  // The largest key (lowest index among equals): the greedy token and the softmax maximum.
  unsigned long long best = 0; // key << 32 | ~index: a larger value is a better candidate
  for (int i = threadIdx.x; i < vocab; i += kThreads) {
    const unsigned long long candidate =
        ((unsigned long long)samplerKey(w[i]) << 32) | (unsigned)~(unsigned)i;
    best = candidate > best ? candidate : best;
  }
  for (int offset = 16; offset > 0; offset >>= 1) {
    const unsigned long long other = __shfl_xor_sync(0xffffffffu, best, offset);
    best = other > best ? other : best;
  }
  if (threadIdx.x % 32 == 0)
    shared.scratch[threadIdx.x / 32] = __longlong_as_double((long long)best);
  __syncthreads();
  for (int i = 0; i < kThreads / 32; ++i) {
    const unsigned long long other =
        (unsigned long long)__double_as_longlong(shared.scratch[i]);
    best = other > best ? other : best;
  }
  __syncthreads();
  const int argmax = (int)~(unsigned)(best & 0xffffffffull);
  if (p.temperature == 0.0f) {
    if (threadIdx.x == 0)
      out[blockIdx.x] = argmax;
    return;
  }

  const double temperature = (double)p.temperature;
  const double maxScaled = (double)w[argmax] / temperature;
  unsigned keepKey = 0; // keep i iff samplerKey(w[i]) >= keepKey (and min-p below)
  if (p.topK > 0 && p.topK < vocab)
    keepKey = samplerSelectKey<kThreads>(
        w, vocab, (double)p.topK, [](int, unsigned) { return 1.0; }, shared);
  auto expScaled = [&](int i) { return exp((double)w[i] / temperature - maxScaled); };
  auto keptExp = [&](int i, unsigned key) { return key >= keepKey ? expScaled(i) : 0.0; };

  double local = 0.0;
  for (int i = threadIdx.x; i < vocab; i += kThreads)
    local += keptExp(i, samplerKey(w[i]));
  const double softmaxSum = samplerBlockSum<kThreads>(local, shared);
  auto prob = [&](int i, unsigned key) { return keptExp(i, key) / softmaxSum; };

  if (p.topP < 1.0f) {
    const unsigned topPKey =
        samplerSelectKey<kThreads>(w, vocab, (double)p.topP, prob, shared);
    keepKey = topPKey > keepKey ? topPKey : keepKey;
  }
  local = 0.0;
  for (int i = threadIdx.x; i < vocab; i += kThreads)
    local += prob(i, samplerKey(w[i]));
  const double keptMass = samplerBlockSum<kThreads>(local, shared);
  // The maximum's probability: exp(0) = 1 before the divisions.
  const double minProb = p.minP > 0.0f ? (double)p.minP * ((1.0 / softmaxSum) / keptMass) : 0.0;
  auto finalWeight = [&](int i) {
    const double q = prob(i, samplerKey(w[i])) / keptMass;
    return q < minProb ? 0.0 : q;
  };
  double finalMass = 1.0;
  if (p.minP > 0.0f) {
    local = 0.0;
    for (int i = threadIdx.x; i < vocab; i += kThreads)
      local += finalWeight(i);
    finalMass = samplerBlockSum<kThreads>(local, shared);
  }

  // Inverse CDF in token order: each thread owns a contiguous chunk.
  const int chunk = (vocab + kThreads - 1) / kThreads;
  const int begin = min(vocab, (int)threadIdx.x * chunk), end = min(vocab, begin + chunk);
  double chunkMass = 0.0;
  int lastKept = -1;
  for (int i = begin; i < end; ++i) {
    const double q = finalWeight(i);
    if (q == 0.0)
      continue;
    chunkMass += (p.minP > 0.0f ? q / finalMass : q);
    lastKept = i;
  }
  // Exclusive prefix of the chunk masses, warp by warp.
  const int lane = threadIdx.x % 32, warp = threadIdx.x / 32;
  double inclusive = chunkMass;
  for (int offset = 1; offset < 32; offset <<= 1) {
    const double other = __shfl_up_sync(0xffffffffu, inclusive, offset);
    if (lane >= offset)
      inclusive += other;
  }
  if (threadIdx.x == 0)
    shared.chosenIndex = 0x7fffffff;
  if (lane == 31)
    shared.scratch[warp] = inclusive;
  __syncthreads();
  double before = inclusive - chunkMass;
  for (int i = 0; i < warp; ++i)
    before += shared.scratch[i];
  SplitMix64 rng = SplitMix64::forToken(p.seed, p.tokenIndex);
  const double u = rng.uniform();
  if (u < before + chunkMass) { // the first crossing is in this chunk or an earlier one
    double mass = before;
    for (int i = begin; i < end; ++i) {
      const double q = finalWeight(i);
      if (q == 0.0)
        continue;
      mass += (p.minP > 0.0f ? q / finalMass : q);
      if (u < mass) {
        atomicMin(&shared.chosenIndex, i);
        break;
      }
    }
  }
  // Rounding can leave u past every cumulative sum: then the last kept token.
  for (int offset = 16; offset > 0; offset >>= 1)
    lastKept = max(lastKept, __shfl_xor_sync(0xffffffffu, lastKept, offset));
  __syncthreads();
  if (lane == 0)
    shared.scratch[warp] = (double)lastKept;
  __syncthreads();
  if (threadIdx.x == 0) {
    int last = -1;
    for (int i = 0; i < kThreads / 32; ++i)
      last = max(last, (int)shared.scratch[i]);
    out[blockIdx.x] = shared.chosenIndex != 0x7fffffff ? shared.chosenIndex : last;
  }
}

} // namespace loom

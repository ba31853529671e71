// loom-bench cases of the attention family: causal prefill B4 H32 S4096 D128 bf16 over the paged
// cache (every bench tile, the Hopper kernel on sm_90a; test/reference/attention_ratio.py runs
// this case between two SDPA flash measurements and prints the same-run ratio) and flash-decoding at batch 32,
// contexts 4k and 16k, 32/8 heads, against the device-to-device copy roofline.
#include "test/gpu/Kernels/Attention/AttentionInstantiations.h"
#include "tools/loom-bench/BenchCase.h"
#include "tools/loom-bench/BenchSession.h"

#include <algorithm>
#include <numeric>
#include <random>

namespace loom::bench {
namespace {

using testing::AttentionShape;

/// The device inputs of `seqs` sequences of `context` tokens, blocks shuffled over the pool.
struct PagedInputs {
  rt::DeviceBuffer q, kPool, vPool, out, seqStarts, contexts, blockTables;
  int blocksPerSeq = 0, cacheBlocks = 0;

  static StatusOr<PagedInputs> create(BenchSession &session, const AttentionShape &shape,
                                      int seqs, int queriesPerSeq, int context) {
    PagedInputs in;
    in.blocksPerSeq = (context + shape.blockSize - 1) / shape.blockSize;
    in.cacheBlocks = seqs * in.blocksPerSeq;
    const size_t tokens = size_t(seqs) * queriesPerSeq;
    const size_t pool = size_t(in.cacheBlocks) * shape.blockSize * shape.kvHeads * shape.headDim;
    const size_t width = size_t(shape.heads) * shape.headDim;
    LOOM_ASSIGN_OR_RETURN(in.q, session.randomBuffer(tokens * width, ElementType::kBf16, 1, 2.0f));
    LOOM_ASSIGN_OR_RETURN(in.kPool, session.randomBuffer(pool, ElementType::kBf16, 2));
    LOOM_ASSIGN_OR_RETURN(in.vPool, session.randomBuffer(pool, ElementType::kBf16, 3));
    LOOM_ASSIGN_OR_RETURN(in.out, session.allocate(tokens * width * 2));
    std::vector<int> starts(seqs + 1), lengths(seqs, context), table(in.cacheBlocks);
    for (int b = 0; b <= seqs; ++b)
      starts[b] = b * queriesPerSeq;
    std::iota(table.begin(), table.end(), 0);
    std::shuffle(table.begin(), table.end(), std::mt19937(5));
    LOOM_ASSIGN_OR_RETURN(in.seqStarts, upload(session, starts));
    LOOM_ASSIGN_OR_RETURN(in.contexts, upload(session, lengths));
    LOOM_ASSIGN_OR_RETURN(in.blockTables, upload(session, table));
    return in;
  }

  static StatusOr<rt::DeviceBuffer> upload(BenchSession &session, const std::vector<int> &values) {
    LOOM_ASSIGN_OR_RETURN(rt::DeviceBuffer buffer, session.allocate(values.size() * 4));
    LOOM_RETURN_IF_ERROR(
        session.stream().copyToDevice(buffer.address(), values.data(), values.size() * 4));
    LOOM_RETURN_IF_ERROR(session.stream().synchronize());
    return buffer;
  }
};

Status runPrefill(BenchSession &session) {
  constexpr int kSeqs = 4, kLength = 4096;
  const AttentionShape shape = testing::llamaShape();
  LOOM_ASSIGN_OR_RETURN(PagedInputs in,
                        PagedInputs::create(session, shape, kSeqs, kLength, kLength));
  const float scale = 1.0f / std::sqrt(float(shape.headDim));
  const int qRowStride = shape.heads * shape.headDim, layer = 0;
  // Causal: half of the 4 * B * H * S^2 * D flops of the two matrix products (FA convention).
  const double flops = 4.0 * kSeqs * shape.heads * double(kLength) * kLength * shape.headDim / 2;
  for (const testing::PrefillKernelSpec &spec : testing::benchPrefillTiles()) {
    if (spec.sm90Only() && session.arch() != rt::GpuArch::kSm90a)
      continue;
    LOOM_ASSIGN_OR_RETURN(BenchKernel kernel, session.compile(spec.name(), spec.source()));
    LOOM_ASSIGN_OR_RETURN(double ms, session.medianMilliseconds([&](int) {
      rt::KernelArgs args;
      args.add(in.q.address()).add(qRowStride).add(in.kPool.address()).add(in.vPool.address());
      args.add(in.out.address()).add(in.seqStarts.address()).add(in.contexts.address());
      args.add(in.blockTables.address()).add(kSeqs).add(in.blocksPerSeq).add(layer);
      args.add(in.cacheBlocks).add(scale);
      return session.launch(*kernel.kernel, spec.launch(kSeqs * kLength, kSeqs), args);
    }));
    session.report({"attention", "prefill", "B4 H32/8 S4096 D128 causal bf16", ms, flops, 0,
                    "SDPA flash (attention_check.py)", 0,
                    spec.sm90Only() ? fmt::format("sm90 wgmma {}x{} {} stages", spec.bm, spec.bn,
                                                  spec.stages)
                                    : fmt::format("tile {}x{} w{}", spec.bm, spec.bn, spec.warps)});
  }
  return Status::ok();
}

Status runDecode(BenchSession &session) {
  constexpr int kSeqs = 32;
  const AttentionShape shape = testing::llamaShape();
  const float scale = 1.0f / std::sqrt(float(shape.headDim));
  const int qRowStride = shape.heads * shape.headDim, layer = 0;
  for (int context : {4096, 16384}) {
    LOOM_ASSIGN_OR_RETURN(PagedInputs in, PagedInputs::create(session, shape, kSeqs, 1, context));
    // The fewest bytes: K and V of every context token once, plus q and out.
    const double bytes = 2.0 * kSeqs * context * shape.kvHeads * shape.headDim * 2 +
                         2.0 * kSeqs * shape.heads * shape.headDim * 2;
    for (int blocksPerSplit : {16, 32}) {
      const testing::DecodeKernelSpec spec{shape, blocksPerSplit};
      LOOM_ASSIGN_OR_RETURN(BenchKernel split, session.compile(spec.name(), spec.source()));
      LOOM_ASSIGN_OR_RETURN(rt::DeviceBuffer partialOut,
                            session.allocate(spec.partialOutFloats(kSeqs, in.blocksPerSeq) * 4));
      LOOM_ASSIGN_OR_RETURN(rt::DeviceBuffer partialStats,
                            session.allocate(spec.partialStatsFloats(kSeqs, in.blocksPerSeq) * 4));
      LOOM_ASSIGN_OR_RETURN(rt::DeviceBuffer counters, session.allocate(spec.counterInts(kSeqs) * 4));
      LOOM_RETURN_IF_ERROR(session.stream().fill(counters.address(), 0, counters.size())); // each launch re-zeroes them
      LOOM_ASSIGN_OR_RETURN(double ms, session.medianMilliseconds([&](int) -> Status {
        rt::KernelArgs args;
        args.add(in.q.address()).add(qRowStride).add(in.kPool.address());
        args.add(in.vPool.address()).add(in.contexts.address()).add(in.blockTables.address());
        args.add(in.blocksPerSeq).add(layer).add(in.cacheBlocks).add(scale);
        args.add(partialOut.address()).add(partialStats.address()).add(counters.address());
        args.add(in.out.address());
        return session.launch(*split.kernel, spec.launch(kSeqs, in.blocksPerSeq), args);
      }));
      session.report({"attention", "decode",
                      fmt::format("B32 ctx {} H32/8 D128 bf16", context), ms, 0, bytes,
                      "copy roofline", 0, fmt::format("split {} blocks", blocksPerSplit)});
    }
  }
  return Status::ok();
}

const BenchCase kAttentionCases[] = {
    {"attention", "prefill", "causal paged prefill B4 H32/8 S4096 D128 bf16, every tile",
     runPrefill},
    {"attention", "decode", "paged flash-decoding B32 ctx 4k/16k H32/8 D128 bf16 vs copy",
     runDecode},
};
LOOM_BENCH_CASES(kAttentionCases);

} // namespace
} // namespace loom::bench

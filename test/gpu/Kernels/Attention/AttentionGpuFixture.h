// Fixture of the attention GPU tests: the instantiation table compiled once per process, device
// buffers that live until the test ends, and launchers that run a PagedBatch through the prefill
// or decode kernels and return the output as floats.
#pragma once

#include "AttentionInstantiations.h"
#include "PagedBatch.h"

#include "runtime/CUDA/CudaMemory.h"
#include "runtime/CUDA/DeviceAllocator.h"

#include <map>

namespace loom::testing {

class AttentionGpuTest : public DeviceBufferTest {
protected:
  /// Function `name` from the process-wide modules of the whole table (compiled in parallel on
  /// first use); nullptr when it is not in the table or failed to compile (also a failure).
  rt::Kernel *kernel(const std::string &name) {
    static std::map<std::string, LoadedKernel> loaded;
    static std::vector<std::unique_ptr<rt::Module>> modules;
    if (modules.empty()) {
      const std::vector<AttentionModule> table = attentionModules(arch_);
      std::vector<rt::CompileRequest> requests;
      for (const AttentionModule &module : table)
        requests.push_back({module.name, module.source, arch_, {}});
      std::vector<StatusOr<rt::CompileResult>> results = compiler_.compileAll(requests);
      for (size_t i = 0; i < table.size(); ++i) {
        EXPECT_TRUE(results[i].isOk()) << results[i].status().toString();
        if (!results[i].isOk())
          continue;
        auto module = rt::Module::load(*context_, results[i]->kernel->cubin);
        EXPECT_TRUE(module.isOk()) << module.status().toString();
        if (!module.isOk())
          continue;
        for (const rt::KernelResources &resources : results[i]->kernel->resources) {
          auto function = (*module)->kernel(resources.function);
          EXPECT_TRUE(function.isOk()) << function.status().toString();
          if (function.isOk())
            loaded[resources.function].kernel = std::move(function).value();
        }
        modules.push_back(std::move(module).value());
      }
    }
    auto found = loaded.find(name);
    EXPECT_NE(found, loaded.end()) << name << " is not in the instantiation table";
    return found == loaded.end() ? nullptr : found->second.kernel.get();
  }

  uint64_t upload16(AttentionType type, const std::vector<float> &values) {
    return upload(encode16(type, values));
  }
  std::vector<float> download16(AttentionType type, uint64_t address, size_t count) {
    return decode16(type, download<uint16_t>(address, count));
  }

  void launch(const std::string &name, const rt::LaunchConfig &config, rt::KernelArgs &args) {
    rt::Kernel *function = kernel(name);
    ASSERT_NE(function, nullptr);
    const Status launched = rt::launchKernel(*function, config, args, stream_->handle());
    ASSERT_TRUE(launched.isOk()) << launched.toString();
    ASSERT_TRUE(stream_->synchronize().isOk());
  }

  /// The batch's device inputs.
  struct DeviceBatch {
    uint64_t q, kPool, vPool, seqStarts, contexts, blockTables;
  };
  DeviceBatch uploadBatch(const PagedBatch &batch) {
    const AttentionType type = batch.shape.type;
    return {upload16(type, batch.q),         upload16(type, batch.kPool),
            upload16(type, batch.vPool),     upload(batch.seqStarts),
            upload(batch.contexts),          upload(batch.blockTables)};
  }

  /// Whether this device runs `spec` (the Hopper kernel needs sm_90a).
  bool runs(const PrefillKernelSpec &spec) const {
    return !spec.sm90Only() || arch_ == rt::GpuArch::kSm90a;
  }

  /// Runs the prefill kernel `spec` over `batch`; the output [tokens, heads * headDim].
  std::vector<float> runPrefill(const PrefillKernelSpec &spec, const PagedBatch &batch) {
    const DeviceBatch in = uploadBatch(batch);
    const size_t outElements = size_t(batch.tokens) * batch.shape.heads * batch.shape.headDim;
    const uint64_t out = poisoned(outElements * 2);
    rt::KernelArgs args;
    args.add(in.q).add(batch.qRowStride).add(in.kPool).add(in.vPool).add(out);
    args.add(in.seqStarts).add(in.contexts).add(in.blockTables).add(batch.seqs());
    args.add(batch.blocksPerSeq).add(batch.layer).add(batch.cacheBlocks).add(batch.scale);
    launch(spec.name(), spec.launch(batch.tokens, batch.seqs()), args);
    return download16(batch.shape.type, out, outElements);
  }

  /// The decode kernel's device buffers for `batch`: the output (poisoned), the partials
  /// (poisoned: the merge must read only what this launch wrote) and the counters (zeroed).
  struct DecodeBuffers {
    uint64_t out, partialOut, partialStats, counters;
    size_t outElements;
  };
  DecodeBuffers decodeBuffers(const DecodeKernelSpec &spec, const PagedBatch &batch) {
    const int seqs = batch.seqs();
    const size_t outElements = size_t(seqs) * batch.shape.heads * batch.shape.headDim;
    return {poisoned(outElements * 2), poisoned(spec.partialOutFloats(seqs, batch.blocksPerSeq) * 4),
            poisoned(spec.partialStatsFloats(seqs, batch.blocksPerSeq) * 4),
            upload(std::vector<int>(spec.counterInts(seqs), 0)), outElements};
  }
  rt::KernelArgs decodeArgs(const PagedBatch &batch, const DeviceBatch &in, const DecodeBuffers &buffers) {
    rt::KernelArgs args;
    args.add(in.q).add(batch.qRowStride).add(in.kPool).add(in.vPool).add(in.contexts);
    args.add(in.blockTables).add(batch.blocksPerSeq).add(batch.layer).add(batch.cacheBlocks);
    args.add(batch.scale).add(buffers.partialOut).add(buffers.partialStats).add(buffers.counters);
    args.add(buffers.out);
    return args;
  }

  /// Runs the decode kernel of `spec` (one query per sequence) once; the output as floats. The
  /// counters must be zero again afterwards (a failure otherwise).
  std::vector<float> runDecode(const DecodeKernelSpec &spec, const PagedBatch &batch) {
    const DeviceBatch in = uploadBatch(batch);
    const DecodeBuffers buffers = decodeBuffers(spec, batch);
    rt::KernelArgs args = decodeArgs(batch, in, buffers);
    launch(spec.name(), spec.launch(batch.seqs(), batch.blocksPerSeq), args);
    EXPECT_EQ(download<int>(buffers.counters, spec.counterInts(batch.seqs())),
              std::vector<int>(spec.counterInts(batch.seqs()), 0))
        << "split counters not reset";
    return download16(batch.shape.type, buffers.out, buffers.outElements);
  }
};

} // namespace loom::testing

// Every attention-family instantiation the GPU tests and loom-bench launch, as one table, so the
// NVRTC compile test (CPU, CI) covers exactly what runs on the GPU.
#pragma once

#include "AttentionKernels.h"
#include "runtime/CUDA/GpuArch.h"

#include <vector>

namespace loom::testing {

/// Llama-3 layer shapes (32 query / 8 KV heads, head dim 128) and the smaller test shapes:
/// MQA, head dim 64, f16, a block size other than 16.
inline AttentionShape llamaShape(AttentionType type = AttentionType::kBf16) {
  return {type, 32, 8, 128, 16};
}
/// Llama-3.2-1B's layer: 32 query / 8 KV heads of head dim 64 (the issue-8 bench model).
inline AttentionShape llama1bShape() { return {AttentionType::kBf16, 32, 8, 64, 16}; }
inline AttentionShape mqaShape() { return {AttentionType::kF16, 8, 1, 64, 16}; }
inline AttentionShape smallGqaShape() { return {AttentionType::kBf16, 16, 4, 64, 32}; }

/// The prefill tiles the bench compares: mma.sync (the first is the default the tests check
/// everywhere), then the Hopper kernel's (run only on sm_90a devices; the first is its default).
inline std::vector<PrefillKernelSpec> benchPrefillTiles() {
  return {{llamaShape(), 128, 64, 8, true},
          {llamaShape(), 64, 64, 4, true},
          {llamaShape(), 128, 32, 8, true},
          PrefillKernelSpec::sm90(llamaShape()),
          PrefillKernelSpec::sm90(llamaShape(), true, 128, 3),
          PrefillKernelSpec::sm90(llamaShape(), true, 64, 4)};
}

inline std::vector<PrefillKernelSpec> testPrefillKernels() {
  std::vector<PrefillKernelSpec> kernels = benchPrefillTiles();
  kernels.push_back({llamaShape(AttentionType::kF16), 128, 64, 8, true});
  kernels.push_back({mqaShape(), 128, 64, 8, true});
  kernels.push_back({mqaShape(), 64, 64, 4, true});
  kernels.push_back({smallGqaShape(), 128, 64, 8, true});
  kernels.push_back({smallGqaShape(), 64, 32, 4, false});
  kernels.push_back({smallGqaShape(), 128, 64, 8, false});
  for (AttentionShape shape : {llamaShape(AttentionType::kF16), mqaShape(), smallGqaShape()})
    kernels.push_back(PrefillKernelSpec::sm90(shape));
  kernels.push_back(PrefillKernelSpec::sm90(smallGqaShape(), false));
  return kernels;
}

inline std::vector<DecodeKernelSpec> testDecodeKernels() {
  return {{llamaShape(), 16},
          {llamaShape(), 32},
          {llama1bShape(), 16},
          {llama1bShape(), 32},
          {llamaShape(AttentionType::kF16), 16},
          {{AttentionType::kF16, 32, 1, 64, 16}, 8},   // MQA: 32 heads over 4 warps
          {{AttentionType::kBf16, 16, 1, 128, 16}, 8}, // 16 heads: 2 head groups
          {smallGqaShape(), 4},
          // GQA groups 1, 3 and 8 (a warp holds 1, 3 and 8 heads).
          {{AttentionType::kBf16, 8, 8, 128, 16}, 16},
          {{AttentionType::kF16, 24, 8, 64, 16}, 16},
          {{AttentionType::kBf16, 32, 4, 64, 16}, 16}};
}

inline std::vector<KvAppendKernelSpec> testKvAppendKernels() {
  RopeParameters llama3{500000.0f, 32.0f, 1.0f, 4.0f, 8192.0f, false};
  RopeParameters interleaved{10000.0f, 0.0f, 1.0f, 4.0f, 8192.0f, true};
  return {{llamaShape(), 4, false, {}},
          {mqaShape(), 4, false, {}},
          {llamaShape(), 4, true, llama3},
          {smallGqaShape(), 2, true, interleaved},
          {mqaShape(), 4, true, {}}};
}

/// Name and source of every kernel module of the table; sm90Only modules compile for sm_90a only.
/// spillBytesAllowed: the decode kernels whose warps hold 8 query heads (64 query and 64
/// accumulator floats per lane) sit at 255 registers, and some of them spill a few bytes (16 at
/// 32 heads over 4 KV heads, head dim 64, as before session 9's changes); they may spill 16.
struct AttentionModule {
  std::string name, source;
  bool sm90Only = false;
  int spillBytesAllowed = 0;
};

/// Spill bytes a decode kernel may have: 16 for a group of 8 query heads of head dim 64 (ptxas
/// keeps that Config at 255 registers and spills 16 bytes, as before session 9), none otherwise.
inline int decodeSpillAllowance(const AttentionShape &shape) {
  return shape.heads / shape.kvHeads == 8 && shape.headDim == 64 ? 16 : 0;
}

/// The modules of the table that compile for `arch` (all but the sm90Only ones below sm_90a).
inline std::vector<AttentionModule> attentionModules(rt::GpuArch arch) {
  std::vector<AttentionModule> modules;
  for (const PrefillKernelSpec &spec : testPrefillKernels())
    if (!spec.sm90Only() || arch == rt::GpuArch::kSm90a)
      modules.push_back({spec.name(), spec.source(), spec.sm90Only()});
  for (const DecodeKernelSpec &spec : testDecodeKernels())
    modules.push_back({spec.name(), spec.source(), false,
                       decodeSpillAllowance(spec.shape)});
  for (const KvAppendKernelSpec &spec : testKvAppendKernels())
    modules.push_back({spec.name(), spec.source()});
  return modules;
}

} // namespace loom::testing

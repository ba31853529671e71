// GpuTargets: the compile targets as data (SMs, shared memory, registers, tensor-core features).
#pragma once

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "mlir/IR/Operation.h"

namespace loom::tile {

/// One compile target and the limits and peaks the tiling cost model reads.
struct GpuTarget {
  llvm::StringRef name;       ///< "sm_90a": also NVRTC's -arch
  int sm;                     ///< 80, 89, 90
  int multiprocessors;        ///< of the reference part (A100, L40S, H100 SXM)
  int sharedBytesPerBlock;    ///< opt-in dynamic shared memory limit of one CTA
  int sharedBytesPerSm;
  int registersPerSm;
  int maxThreadsPerSm;
  bool hasWgmma;              ///< wgmma.mma_async (sm_90a only)
  bool hasTma;                ///< cp.async.bulk.tensor
  double memoryBytesPerSecond;
  double l2BytesPerSecond;     ///< L2 -> SM operand bandwidth, all SMs together
  double tensorFlopsPerSecond; ///< dense bf16 tensor-core peak
};

llvm::ArrayRef<GpuTarget> gpuTargets();
/// The target named `name`, or nullptr.
const GpuTarget *findGpuTarget(llvm::StringRef name);
/// The target named `name`; otherwise an error on `op` listing the known targets, and nullptr.
const GpuTarget *findGpuTargetOrEmit(mlir::Operation *op, llvm::StringRef name);
/// "sm_80, sm_89, sm_90, sm_90a", for messages.
std::string gpuTargetNames();

} // namespace loom::tile

// TensorMap: TMA descriptors (CUtensorMap) for row-major matrices, validated, then encoded by the
// driver's cuTensorMapEncodeTiled. Kernels take them as `const __grid_constant__` parameters.
#pragma once

#include "runtime/CUDA/Driver.h"

#include <cstdint>

namespace loom::rt {

/// Element types a tensor map can describe.
enum class TensorElement { kBf16, kF16, kF32 };

/// Shared-memory swizzle of the box; the box's inner extent must fit in the swizzle span.
enum class TensorMapSwizzle { kNone, k32B, k64B, k128B };

/// A row-major matrix in device memory and the box (tile) one TMA copy moves.
struct MatrixTensorMapSpec {
  CUdeviceptr address = 0;      ///< 16-byte aligned
  TensorElement element = TensorElement::kBf16;
  uint64_t rows = 0, cols = 0;  ///< the extent; loads outside it read zeros
  uint64_t rowStrideBytes = 0;  ///< 0: packed (cols * element size); a multiple of 16
  uint32_t boxRows = 0, boxCols = 0; ///< each 1..256
  TensorMapSwizzle swizzle = TensorMapSwizzle::k128B;
};

/// Checks `spec` against TMA's rules and encodes it. kInvalidArgument naming the rule and the
/// numbers for a bad spec; kUnavailable when the driver lacks cuTensorMapEncodeTiled; kCudaError
/// when the driver rejects it.
StatusOr<CUtensorMap> encodeMatrixTensorMap(const DriverApi &api, const MatrixTensorMapSpec &spec);

/// The operand map of loom/gemm_sm90.cuh: a packed bf16 [rows, cols] matrix, box {64 columns,
/// boxRows rows}, 128B swizzle (cols % 8 == 0 for the 16-byte row stride).
StatusOr<CUtensorMap> tensorMapForGemmOperand(const DriverApi &api, CUdeviceptr address,
                                              uint64_t rows, uint64_t cols, uint32_t boxRows);

} // namespace loom::rt

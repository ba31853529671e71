// Tensor map validation and encoding.
#include "runtime/CUDA/TensorMap.h"

#include "runtime/CUDA/CuCheck.h"

#include <fmt/format.h>

namespace loom::rt {
namespace {

struct ElementInfo {
  TensorElement element;
  CUtensorMapDataType dataType;
  uint32_t bytes;
};
constexpr ElementInfo kElements[] = {
    {TensorElement::kBf16, CU_TENSOR_MAP_DATA_TYPE_BFLOAT16, 2},
    {TensorElement::kF16, CU_TENSOR_MAP_DATA_TYPE_FLOAT16, 2},
    {TensorElement::kF32, CU_TENSOR_MAP_DATA_TYPE_FLOAT32, 4},
};

struct SwizzleInfo {
  TensorMapSwizzle swizzle;
  CUtensorMapSwizzle mode;
  uint32_t spanBytes; ///< the most bytes the box's inner dimension may have
};
constexpr SwizzleInfo kSwizzles[] = {
    {TensorMapSwizzle::kNone, CU_TENSOR_MAP_SWIZZLE_NONE, 256 * 16},
    {TensorMapSwizzle::k32B, CU_TENSOR_MAP_SWIZZLE_32B, 32},
    {TensorMapSwizzle::k64B, CU_TENSOR_MAP_SWIZZLE_64B, 64},
    {TensorMapSwizzle::k128B, CU_TENSOR_MAP_SWIZZLE_128B, 128},
};

const ElementInfo &elementInfo(TensorElement element) {
  for (const ElementInfo &info : kElements)
    if (info.element == element)
      return info;
  return kElements[0];
}
const SwizzleInfo &swizzleInfo(TensorMapSwizzle swizzle) {
  for (const SwizzleInfo &info : kSwizzles)
    if (info.swizzle == swizzle)
      return info;
  return kSwizzles[0];
}

Status validate(const MatrixTensorMapSpec &spec, uint64_t rowStrideBytes) {
  const uint32_t elementBytes = elementInfo(spec.element).bytes;
  const uint32_t span = swizzleInfo(spec.swizzle).spanBytes;
  auto invalid = [](std::string message) {
    return Status(StatusCode::kInvalidArgument, "tensor map: " + message);
  };
  if (spec.address % 16 != 0)
    return invalid(fmt::format("address {:#x} is not 16-byte aligned", spec.address));
  if (spec.rows == 0 || spec.cols == 0 || spec.rows > (1ull << 32) || spec.cols > (1ull << 32))
    return invalid(fmt::format("extent {}x{} must be 1..2^32 in each dimension", spec.rows,
                               spec.cols));
  if (rowStrideBytes % 16 != 0 || rowStrideBytes < spec.cols * elementBytes ||
      rowStrideBytes >= (1ull << 40))
    return invalid(fmt::format("row stride {} B must be a multiple of 16 and at least {} B "
                               "(cols {} x {} B)",
                               rowStrideBytes, spec.cols * elementBytes, spec.cols, elementBytes));
  if (spec.boxRows < 1 || spec.boxRows > 256 || spec.boxCols < 1 || spec.boxCols > 256)
    return invalid(fmt::format("box {}x{} must be 1..256 in each dimension", spec.boxRows,
                               spec.boxCols));
  const uint64_t boxInnerBytes = uint64_t(spec.boxCols) * elementBytes;
  if (boxInnerBytes % 16 != 0 || boxInnerBytes > span)
    return invalid(fmt::format("box inner extent {} B must be a multiple of 16 and at most the "
                               "swizzle span of {} B",
                               boxInnerBytes, span));
  return Status::ok();
}

} // namespace

StatusOr<CUtensorMap> encodeMatrixTensorMap(const DriverApi &api,
                                            const MatrixTensorMapSpec &spec) {
  const ElementInfo &element = elementInfo(spec.element);
  const uint64_t rowStrideBytes =
      spec.rowStrideBytes ? spec.rowStrideBytes : spec.cols * element.bytes;
  LOOM_RETURN_IF_ERROR(validate(spec, rowStrideBytes));
  if (!api.cuTensorMapEncodeTiled)
    return Status(StatusCode::kUnavailable, "tensor map: the driver has no cuTensorMapEncodeTiled");
  // TMA lists dimensions innermost first: (cols, rows); the stride of the outer one only.
  const cuuint64_t globalDim[2] = {spec.cols, spec.rows};
  const cuuint64_t globalStride[1] = {rowStrideBytes};
  const cuuint32_t box[2] = {spec.boxCols, spec.boxRows};
  const cuuint32_t elementStride[2] = {1, 1};
  CUtensorMap map;
  LOOM_CU_CHECK_WITH(api, api.cuTensorMapEncodeTiled(
                              &map, element.dataType, 2, reinterpret_cast<void *>(spec.address),
                              globalDim, globalStride, box, elementStride,
                              CU_TENSOR_MAP_INTERLEAVE_NONE, swizzleInfo(spec.swizzle).mode,
                              CU_TENSOR_MAP_L2_PROMOTION_L2_256B,
                              CU_TENSOR_MAP_FLOAT_OOB_FILL_NONE));
  return map;
}

StatusOr<CUtensorMap> tensorMapForGemmOperand(const DriverApi &api, CUdeviceptr address,
                                              uint64_t rows, uint64_t cols, uint32_t boxRows) {
  MatrixTensorMapSpec spec;
  spec.address = address;
  spec.element = TensorElement::kBf16;
  spec.rows = rows;
  spec.cols = cols;
  spec.boxRows = boxRows;
  spec.boxCols = 64;
  spec.swizzle = TensorMapSwizzle::k128B;
  return encodeMatrixTensorMap(api, spec);
}

} // namespace loom::rt

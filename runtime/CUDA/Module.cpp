// Module loading and function attributes.
#include "runtime/CUDA/Module.h"

#include "runtime/CUDA/CuCheck.h"

#include <fmt/format.h>

namespace loom::rt {

StatusOr<std::unique_ptr<Module>> Module::load(const Context &context,
                                               std::string_view cubin) {
  const DriverApi &cu = context.api();
  CUmodule module = nullptr;
  LOOM_CU_CHECK(cu.cuModuleLoadData(&module, cubin.data()));
  return std::unique_ptr<Module>(new Module(&context, module));
}

Module::~Module() { context_->api().cuModuleUnload(module_); }

StatusOr<std::unique_ptr<Kernel>> Module::kernel(const std::string &name) const {
  const DriverApi &cu = context_->api();
  CUfunction function = nullptr;
  CUresult result = cu.cuModuleGetFunction(&function, module_, name.c_str());
  if (result == CUDA_ERROR_NOT_FOUND)
    return Status(StatusCode::kNotFound,
                  fmt::format("module has no kernel '{}' (is it extern \"C\"?)", name));
  if (result != CUDA_SUCCESS)
    return cuResultStatus(cu, result, "cuModuleGetFunction", __func__, __FILE__, __LINE__);
  std::unique_ptr<Kernel> kernel(new Kernel(context_, name, function));
  LOOM_RETURN_IF_ERROR(kernel->readAttributes());
  return kernel;
}

StatusOr<CUdeviceptr> Module::global(const std::string &name, size_t bytes) const {
  const DriverApi &cu = context_->api();
  CUdeviceptr address = 0;
  size_t size = 0;
  CUresult result = cu.cuModuleGetGlobal(&address, &size, module_, name.c_str());
  if (result == CUDA_ERROR_NOT_FOUND)
    return Status(StatusCode::kNotFound, fmt::format("module has no variable '{}'", name));
  if (result != CUDA_SUCCESS)
    return cuResultStatus(cu, result, "cuModuleGetGlobal", __func__, __FILE__, __LINE__);
  if (size != bytes)
    return LOOM_ERROR(StatusCode::kInvalidArgument,
                      fmt::format("module variable '{}' is {} bytes, expected {}", name, size, bytes));
  return address;
}

Status Kernel::readAttributes() {
  const DriverApi &cu = context_->api();
  int dynamicLimit = 0;
  LOOM_CU_CHECK(cu.cuFuncGetAttribute(&registers_, CU_FUNC_ATTRIBUTE_NUM_REGS, function_));
  LOOM_CU_CHECK(cu.cuFuncGetAttribute(&staticSharedBytes_,
                                      CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES, function_));
  LOOM_CU_CHECK(cu.cuFuncGetAttribute(&maxThreadsPerBlock_,
                                      CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK, function_));
  LOOM_CU_CHECK(cu.cuFuncGetAttribute(
      &dynamicLimit, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, function_));
  dynamicSharedLimit_ = dynamicLimit;
  return Status::ok();
}

Status Kernel::reserveDynamicShared(unsigned bytes) {
  if (static_cast<int>(bytes) <= dynamicSharedLimit_.load())
    return Status::ok();
  const DriverApi &cu = context_->api();
  LOOM_CU_CHECK(cu.cuFuncSetAttribute(
      function_, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, static_cast<int>(bytes)));
  dynamicSharedLimit_ = static_cast<int>(bytes);
  return Status::ok();
}

StatusOr<int> Kernel::maxActiveBlocksPerMultiprocessor(int blockThreads,
                                                       unsigned dynamicSharedBytes) const {
  const DriverApi &cu = context_->api();
  int blocks = 0;
  LOOM_CU_CHECK(cu.cuOccupancyMaxActiveBlocksPerMultiprocessor(
      &blocks, function_, blockThreads, dynamicSharedBytes));
  return blocks;
}

} // namespace loom::rt

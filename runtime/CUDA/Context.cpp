// Primary context and device attributes.
#include "runtime/CUDA/Context.h"

#include "runtime/CUDA/CuCheck.h"

#include <fmt/format.h>

namespace loom::rt {

StatusOr<int> deviceCount() {
  LOOM_ASSIGN_OR_RETURN(const DriverApi *api, driver());
  const DriverApi &cu = *api;
  int count = 0;
  LOOM_CU_CHECK(cu.cuDeviceGetCount(&count));
  return count;
}

StatusOr<std::unique_ptr<Context>> Context::create(int ordinal) {
  LOOM_ASSIGN_OR_RETURN(const DriverApi *api, driver());
  const DriverApi &cu = *api;
  LOOM_ASSIGN_OR_RETURN(int count, deviceCount());
  if (ordinal < 0 || ordinal >= count)
    return Status(StatusCode::kUnavailable,
                  fmt::format("no CUDA device {} (found {})", ordinal, count));
  CUdevice device = 0;
  LOOM_CU_CHECK(cu.cuDeviceGet(&device, ordinal));
  CUcontext context = nullptr;
  LOOM_CU_CHECK(cu.cuDevicePrimaryCtxRetain(&context, device));
  std::unique_ptr<Context> result(new Context(api, device, context));
  LOOM_RETURN_IF_ERROR(result->makeCurrent());
  LOOM_RETURN_IF_ERROR(result->readInfo(ordinal));
  return result;
}

Context::~Context() { api_->cuDevicePrimaryCtxRelease(device_); }

Status Context::makeCurrent() const {
  const DriverApi &cu = *api_;
  LOOM_CU_CHECK(cu.cuCtxSetCurrent(context_));
  return Status::ok();
}

Status Context::synchronize() const {
  const DriverApi &cu = *api_;
  LOOM_CU_CHECK(cu.cuCtxSynchronize());
  return Status::ok();
}

Status Context::readInfo(int ordinal) {
  const DriverApi &cu = *api_;
  info_.ordinal = ordinal;
  char name[256] = {};
  LOOM_CU_CHECK(cu.cuDeviceGetName(name, sizeof(name), device_));
  info_.name = name;
  struct AttributeSlot {
    CUdevice_attribute attribute;
    int *slot;
  };
  const AttributeSlot slots[] = {
      {CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, &info_.major},
      {CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, &info_.minor},
      {CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, &info_.multiprocessors},
      {CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK, &info_.maxThreadsPerBlock},
      {CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK, &info_.maxSharedBytesPerBlock},
      {CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN,
       &info_.maxSharedBytesPerBlockOptin},
      {CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_MULTIPROCESSOR,
       &info_.maxSharedBytesPerMultiprocessor},
      {CU_DEVICE_ATTRIBUTE_L2_CACHE_SIZE, &info_.l2CacheBytes},
  };
  for (const AttributeSlot &entry : slots)
    LOOM_CU_CHECK(cu.cuDeviceGetAttribute(entry.slot, entry.attribute, device_));
  LOOM_CU_CHECK(cu.cuDeviceTotalMem(&info_.totalMemoryBytes, device_));
  return Status::ok();
}

} // namespace loom::rt

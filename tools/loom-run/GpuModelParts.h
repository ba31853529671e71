// GpuModelParts: what bench's roofline and profile need from a model on the gpu backend.
#pragma once

#include "runtime/Package/PackageExecutor.h"
#include "runtime/Serving/GpuSampler.h"
#include "runtime/Serving/PackageModelRunner.h"
#include "tools/loom-run/KernelTraffic.h"

#include <map>
#include <string>

namespace loom::tools {

/// Views into a GpuServingModel; valid while the model lives.
struct GpuModelParts {
  const rt::Context *context = nullptr;
  const rt::Stream *stream = nullptr;
  rt::PackageExecutor *executor = nullptr;
  rt::GpuSampler *sampler = nullptr;
  const KernelTraffic *traffic = nullptr;
  const std::map<std::string, std::string> *sources = nullptr; ///< kernel name -> CUDA source
  rt::PackageModelRunner *runner = nullptr; ///< the engine's runner
};

} // namespace loom::tools

// KernelTraffic: bytes per launch from the manifest's tensors and a table of op behaviours.
#include "tools/loom-run/KernelTraffic.h"

#include "runtime/Package/PackageExecutor.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>

namespace loom::tools {

namespace {

/// What a kernel's weight and KV parameters move, by the graph op that explains it.
enum class WeightUse { kWhole, kGatheredRows };
enum class KvUse { kNone, kReadsContext, kWritesTokens };
struct OpTraffic {
  std::string_view op;
  WeightUse weights;
  KvUse kv;
};
constexpr OpTraffic kOpTraffic[] = {
    {"graph.embedding", WeightUse::kGatheredRows, KvUse::kNone},
    {"graph.paged_attention", WeightUse::kWhole, KvUse::kReadsContext},
    {"graph.kv_append", WeightUse::kWhole, KvUse::kWritesTokens},
};

OpTraffic trafficOf(const rt::KernelSpec &kernel) {
  for (const OpTraffic &entry : kOpTraffic)
    if (std::find(kernel.ops.begin(), kernel.ops.end(), entry.op) != kernel.ops.end())
      return entry;
  return {"", WeightUse::kWhole, KvUse::kNone};
}

StatusOr<int64_t> dim(const rt::DimValues &dims, std::string_view name) {
  auto it = dims.find(name);
  if (it == dims.end())
    return LOOM_ERROR(StatusCode::kInvalidArgument, fmt::format("step has no dim '{}'", name));
  return it->second;
}

} // namespace

StatusOr<KernelTraffic> KernelTraffic::create(const rt::Manifest &manifest,
                                              std::string_view manifestJson) {
  KernelTraffic traffic(manifest);
  nlohmann::json json = nlohmann::json::parse(manifestJson, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.contains("buffers"))
    return LOOM_ERROR(StatusCode::kInvalidArgument, "manifest JSON has no buffers");
  for (const nlohmann::json &buffer : json["buffers"]) {
    if (!buffer.contains("dtype") || !buffer.contains("shape"))
      continue; // no shape written: counted as 0 bytes
    LOOM_ASSIGN_OR_RETURN(rt::DType dtype, rt::parseDType(buffer["dtype"].get<std::string>()));
    BufferShape shape{rt::dtypeBytes(dtype), {}};
    for (const nlohmann::json &extent : buffer["shape"]) {
      std::string text = extent.is_string() ? extent.get<std::string>() : extent.dump();
      LOOM_ASSIGN_OR_RETURN(rt::DimExpr expr, rt::DimExpr::parse(text));
      shape.shape.push_back(std::move(expr));
    }
    traffic.buffers_[buffer["name"].get<std::string>()] = std::move(shape);
  }
  for (const rt::WeightSpec &weight : manifest.weights) {
    uint64_t elements = 1;
    for (int64_t extent : weight.shape)
      elements *= static_cast<uint64_t>(std::max<int64_t>(extent, 0));
    uint64_t bytes = elements * rt::dtypeBytes(weight.dtype);
    traffic.weightBytes_[weight.name] = bytes;
    int64_t rows = weight.shape.empty() ? 1 : std::max<int64_t>(weight.shape.front(), 1);
    traffic.weightRowBytes_[weight.name] = bytes / static_cast<uint64_t>(rows);
  }
  return traffic;
}

StatusOr<uint64_t> KernelTraffic::activationBytes(const rt::ParamSpec &param,
                                                  const rt::DimValues &dims) const {
  auto sized = [&](const std::vector<rt::TensorSpec> &tensors) -> StatusOr<uint64_t> {
    for (const rt::TensorSpec &tensor : tensors)
      if (tensor.name == param.ref)
        return rt::PackageExecutor::tensorBytes(tensor, dims);
    return uint64_t{0};
  };
  if (param.kind == rt::ParamKind::kInput)
    return sized(manifest_->inputs);
  if (param.kind == rt::ParamKind::kOutput)
    return sized(manifest_->outputs);
  bool inArena = param.kind == rt::ParamKind::kBuffer ||
                 (param.kind == rt::ParamKind::kTma && param.tma.of == rt::ParamKind::kBuffer);
  auto buffer = buffers_.find(param.ref);
  if (!inArena || buffer == buffers_.end())
    return uint64_t{0};
  uint64_t bytes = buffer->second.elementBytes;
  for (const rt::DimExpr &extent : buffer->second.shape) {
    LOOM_ASSIGN_OR_RETURN(int64_t value, extent.evaluate(dims));
    bytes *= static_cast<uint64_t>(std::max<int64_t>(value, 0));
  }
  return bytes;
}

StatusOr<LaunchBytes> KernelTraffic::launchBytes(size_t kernelIndex, const rt::DimValues &dims,
                                                 int64_t contextTokens) const {
  const rt::KernelSpec &kernel = manifest_->kernels.at(kernelIndex);
  OpTraffic use = trafficOf(kernel);
  LOOM_ASSIGN_OR_RETURN(int64_t tokens, dim(dims, "tokens"));
  uint64_t kvTokenBytes = 0; // one of K or V, one layer, one token
  if (manifest_->kvCache)
    kvTokenBytes = static_cast<uint64_t>(manifest_->kvCache->kvHeads * manifest_->kvCache->headDim) *
                   rt::dtypeBytes(manifest_->kvCache->dtype);
  LaunchBytes bytes;
  for (const rt::ParamSpec &param : kernel.params) {
    bool weight = param.kind == rt::ParamKind::kWeight ||
                  (param.kind == rt::ParamKind::kTma && param.tma.of == rt::ParamKind::kWeight);
    if (weight) {
      bytes.weights += use.weights == WeightUse::kGatheredRows
                           ? weightRowBytes_.at(param.ref) * static_cast<uint64_t>(tokens)
                           : weightBytes_.at(param.ref);
    } else if (param.kind == rt::ParamKind::kKvK || param.kind == rt::ParamKind::kKvV) {
      int64_t kvTokens = use.kv == KvUse::kReadsContext   ? contextTokens
                         : use.kv == KvUse::kWritesTokens ? tokens
                                                          : 0;
      bytes.kv += kvTokenBytes * static_cast<uint64_t>(kvTokens);
    } else {
      LOOM_ASSIGN_OR_RETURN(uint64_t moved, activationBytes(param, dims));
      bytes.activations += moved;
    }
  }
  return bytes;
}

StatusOr<LaunchBytes> KernelTraffic::stepBytes(const rt::DimValues &dims,
                                               int64_t contextTokens) const {
  LaunchBytes sum;
  for (size_t index : manifest_->launches(dims)) {
    LOOM_ASSIGN_OR_RETURN(LaunchBytes bytes, launchBytes(index, dims, contextTokens));
    sum.weights += bytes.weights;
    sum.kv += bytes.kv;
    sum.activations += bytes.activations;
  }
  return sum;
}

} // namespace loom::tools

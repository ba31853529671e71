// Parsing and cross-checking of manifest.json with nlohmann::json.
#include "runtime/Package/Manifest.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <map>
#include <set>

namespace loom::rt {

namespace {

using Json = nlohmann::json;

constexpr std::pair<std::string_view, DType> kDTypes[] = {
    {"bf16", DType::kBF16}, {"f16", DType::kF16}, {"f32", DType::kF32},
    {"i32", DType::kI32},   {"i64", DType::kI64}};

constexpr std::pair<std::string_view, ParamKind> kParamKinds[] = {
    {"buffer", ParamKind::kBuffer}, {"weight", ParamKind::kWeight},
    {"input", ParamKind::kInput},   {"output", ParamKind::kOutput},
    {"kv_k", ParamKind::kKvK},      {"kv_v", ParamKind::kKvV},
    {"dim", ParamKind::kDim},       {"int", ParamKind::kIntScalar},
    {"float", ParamKind::kFloatScalar}, {"tma", ParamKind::kTma}};

Status fieldError(const std::string &path, const std::string &what) {
  return LOOM_ERROR(StatusCode::kInvalidArgument, fmt::format("manifest {}: {}", path, what));
}

/// Reads `json[key]` as T, or says which field is missing or mistyped.
template <typename T>
StatusOr<T> field(const Json &json, const std::string &path, const char *key) {
  auto it = json.find(key);
  if (it == json.end())
    return fieldError(path, fmt::format("missing '{}'", key));
  try {
    return it->template get<T>();
  } catch (const Json::exception &) {
    return fieldError(path + "." + key, fmt::format("has the wrong type ({})", it->type_name()));
  }
}

const Json *optionalArray(const Json &json, const char *key) {
  auto it = json.find(key);
  return it != json.end() && it->is_array() ? &*it : nullptr;
}

StatusOr<DimExpr> parseExtent(const Json &value, const std::string &path) {
  if (value.is_number_integer())
    return DimExpr::constant(value.get<int64_t>());
  if (value.is_string()) {
    auto expr = DimExpr::parse(value.get<std::string>());
    if (!expr)
      return fieldError(path, expr.status().message());
    return expr;
  }
  return fieldError(path, "must be an integer or a dim expression string");
}

StatusOr<TensorSpec> parseTensor(const Json &json, const std::string &path) {
  TensorSpec spec;
  LOOM_ASSIGN_OR_RETURN(spec.name, field<std::string>(json, path, "name"));
  LOOM_ASSIGN_OR_RETURN(auto dtype, field<std::string>(json, path, "dtype"));
  auto parsed = parseDType(dtype);
  if (!parsed)
    return fieldError(path + ".dtype", parsed.status().message());
  spec.dtype = *parsed;
  if (const Json *shape = optionalArray(json, "shape"))
    for (size_t i = 0; i < shape->size(); ++i) {
      LOOM_ASSIGN_OR_RETURN(auto extent, parseExtent((*shape)[i], fmt::format("{}.shape[{}]", path, i)));
      spec.shape.push_back(std::move(extent));
    }
  return spec;
}

StatusOr<ParamSpec> parseParam(const Json &json, const std::string &path) {
  ParamSpec param;
  LOOM_ASSIGN_OR_RETURN(param.name, field<std::string>(json, path, "name"));
  LOOM_ASSIGN_OR_RETURN(auto kind, field<std::string>(json, path, "kind"));
  bool known = false;
  for (auto [name, value] : kParamKinds)
    if (kind == name) {
      param.kind = value;
      known = true;
    }
  if (!known)
    return fieldError(path + ".kind", fmt::format("unknown parameter kind '{}'", kind));
  if (param.kind == ParamKind::kTma) {
    LOOM_ASSIGN_OR_RETURN(param.ref, field<std::string>(json, path, "ref"));
    LOOM_ASSIGN_OR_RETURN(auto of, field<std::string>(json, path, "of"));
    bool known = false;
    for (auto [name, value] : kParamKinds)
      if (of == name && (value == ParamKind::kBuffer || value == ParamKind::kWeight || value == ParamKind::kInput)) {
        param.tma.of = value;
        known = true;
      }
    if (!known)
      return fieldError(path + ".of", fmt::format("a tma matrix lives in a buffer, weight or input, not '{}'", of));
    auto rows = json.find("rows");
    if (rows == json.end())
      return fieldError(path, "missing 'rows'");
    LOOM_ASSIGN_OR_RETURN(param.tma.rows, parseExtent(*rows, path + ".rows"));
    auto cols = json.find("cols"); // an integer, or a constant expression string
    if (cols == json.end())
      return fieldError(path, "missing 'cols'");
    LOOM_ASSIGN_OR_RETURN(DimExpr colsExpr, parseExtent(*cols, path + ".cols"));
    auto colsValue = colsExpr.evaluate({});
    if (!colsValue)
      return fieldError(path + ".cols", "must be a constant");
    param.tma.cols = *colsValue;
    LOOM_ASSIGN_OR_RETURN(param.tma.boxRows, field<uint32_t>(json, path, "box_rows"));
    LOOM_ASSIGN_OR_RETURN(param.tma.boxCols, field<uint32_t>(json, path, "box_cols"));
    if (param.tma.cols <= 0 || param.tma.boxRows == 0 || param.tma.boxCols != 64)
      return fieldError(path, "a tma matrix needs cols > 0, box_rows > 0 and box_cols = 64");
  } else if (param.kind == ParamKind::kIntScalar || param.kind == ParamKind::kFloatScalar) {
    LOOM_ASSIGN_OR_RETURN(param.scalar, field<double>(json, path, "value"));
  } else if (param.kind != ParamKind::kKvK && param.kind != ParamKind::kKvV) {
    LOOM_ASSIGN_OR_RETURN(param.ref, field<std::string>(json, path, "ref"));
  }
  return param;
}

StatusOr<KernelSpec> parseKernel(const Json &json, const std::string &path) {
  KernelSpec kernel;
  LOOM_ASSIGN_OR_RETURN(kernel.name, field<std::string>(json, path, "name"));
  LOOM_ASSIGN_OR_RETURN(kernel.sourcePath, field<std::string>(json, path, "source"));
  if (json.contains("ops")) {
    LOOM_ASSIGN_OR_RETURN(kernel.ops, field<std::vector<std::string>>(json, path, "ops"));
  }
  LOOM_ASSIGN_OR_RETURN(auto block, field<std::vector<unsigned>>(json, path, "block"));
  if (block.empty() || block.size() > 3)
    return fieldError(path + ".block", "must have 1 to 3 entries");
  for (size_t i = 0; i < block.size(); ++i)
    kernel.block[i] = block[i];
  const Json *grid = optionalArray(json, "grid");
  if (!grid || grid->empty() || grid->size() > 3)
    return fieldError(path + ".grid", "must be an array of 1 to 3 extents");
  for (size_t i = 0; i < grid->size(); ++i) {
    LOOM_ASSIGN_OR_RETURN(kernel.grid[i], parseExtent((*grid)[i], fmt::format("{}.grid[{}]", path, i)));
  }
  if (json.contains("shared_bytes")) {
    LOOM_ASSIGN_OR_RETURN(kernel.sharedBytes, field<unsigned>(json, path, "shared_bytes"));
  }
  if (const Json *params = optionalArray(json, "params"))
    for (size_t i = 0; i < params->size(); ++i) {
      LOOM_ASSIGN_OR_RETURN(auto param, parseParam((*params)[i], fmt::format("{}.params[{}]", path, i)));
      kernel.params.push_back(std::move(param));
    }
  return kernel;
}

/// A recipe: a checkpoint name, or {"<kind>": {..., "of": [recipes]}} with exactly one kind.
StatusOr<WeightRecipe> parseRecipe(const Json &json, const std::string &path) {
  WeightRecipe recipe;
  if (json.is_string()) {
    recipe.tensor = json.get<std::string>();
    return recipe;
  }
  constexpr std::pair<const char *, WeightRecipe::Kind> kKinds[] = {
      {"concat", WeightRecipe::Kind::kConcat}, {"transpose", WeightRecipe::Kind::kTranspose},
      {"cast", WeightRecipe::Kind::kCast}, {"scale", WeightRecipe::Kind::kScale},
      {"reshape", WeightRecipe::Kind::kReshape}};
  if (!json.is_object() || json.size() != 1)
    return fieldError(path, "must be a checkpoint name or an object with one of concat, transpose, cast, scale, reshape");
  const auto &[key, body] = *json.items().begin();
  const char *kindName = nullptr;
  for (auto [name, kind] : kKinds)
    if (key == name) {
      recipe.kind = kind;
      kindName = name;
    }
  if (!kindName || !body.is_object())
    return fieldError(path, fmt::format("unknown recipe '{}'", key));
  std::string inner = path + "." + kindName;
  auto of = body.find("of");
  if (of == body.end() || !of->is_array() || of->empty())
    return fieldError(inner, "needs a non-empty 'of'");
  for (size_t i = 0; i < of->size(); ++i) {
    LOOM_ASSIGN_OR_RETURN(auto part, parseRecipe((*of)[i], fmt::format("{}.of[{}]", inner, i)));
    recipe.of.push_back(std::move(part));
  }
  size_t arity = recipe.of.size();
  switch (recipe.kind) {
  case WeightRecipe::Kind::kConcat: {
    LOOM_ASSIGN_OR_RETURN(recipe.axis, field<int64_t>(body, inner, "axis"));
    break;
  }
  case WeightRecipe::Kind::kScale: {
    LOOM_ASSIGN_OR_RETURN(recipe.axis, field<int64_t>(body, inner, "axis"));
    if (arity != 2)
      return fieldError(inner, "scale takes a tensor and a vector");
    break;
  }
  case WeightRecipe::Kind::kTranspose: {
    LOOM_ASSIGN_OR_RETURN(recipe.permutation, field<std::vector<int64_t>>(body, inner, "permutation"));
    if (arity != 1)
      return fieldError(inner, "transpose takes one operand");
    break;
  }
  case WeightRecipe::Kind::kReshape: {
    LOOM_ASSIGN_OR_RETURN(recipe.shape, field<std::vector<int64_t>>(body, inner, "shape"));
    if (arity != 1)
      return fieldError(inner, "reshape takes one operand");
    break;
  }
  case WeightRecipe::Kind::kCast: {
    LOOM_ASSIGN_OR_RETURN(auto dtype, field<std::string>(body, inner, "dtype"));
    LOOM_ASSIGN_OR_RETURN(recipe.dtype, parseDType(dtype));
    if (arity != 1)
      return fieldError(inner, "cast takes one operand");
    break;
  }
  case WeightRecipe::Kind::kTensor:
    break;
  }
  return recipe;
}

StatusOr<WeightSpec> parseWeight(const Json &json, const std::string &path) {
  WeightSpec weight;
  LOOM_ASSIGN_OR_RETURN(auto tensor, parseTensor(json, path));
  weight.name = tensor.name;
  weight.dtype = tensor.dtype;
  for (size_t i = 0; i < tensor.shape.size(); ++i) {
    auto value = tensor.shape[i].evaluate({});
    if (!value || *value <= 0)
      return fieldError(fmt::format("{}.shape[{}]", path, i), "a weight's extents must be positive integers");
    weight.shape.push_back(*value);
  }
  weight.recipe.tensor = weight.name;
  if (auto it = json.find("recipe"); it != json.end()) {
    LOOM_ASSIGN_OR_RETURN(weight.recipe, parseRecipe(*it, path + ".recipe"));
  }
  return weight;
}

/// Every name a parameter refers to must exist in the section its kind reads.
Status checkReferences(const Manifest &m) {
  std::set<std::string, std::less<>> buffers, weights, inputs, outputs, dims;
  for (const auto &b : m.buffers)
    buffers.insert(b.name);
  for (const auto &w : m.weights)
    weights.insert(w.name);
  for (const auto &i : m.inputs)
    inputs.insert(i.name);
  for (const auto &o : m.outputs)
    outputs.insert(o.name);
  for (const auto &[name, value] : m.maxDims)
    dims.insert(name);
  const std::map<ParamKind, std::pair<const std::set<std::string, std::less<>> *, const char *>> sections = {
      {ParamKind::kBuffer, {&buffers, "buffer"}}, {ParamKind::kWeight, {&weights, "weight"}},
      {ParamKind::kInput, {&inputs, "input"}},    {ParamKind::kOutput, {&outputs, "output"}},
      {ParamKind::kDim, {&dims, "dim"}}};
  for (size_t k = 0; k < m.kernels.size(); ++k) {
    const auto &kernel = m.kernels[k];
    for (size_t p = 0; p < kernel.params.size(); ++p) {
      const auto &param = kernel.params[p];
      auto path = fmt::format("kernels[{}].params[{}]", k, p);
      if ((param.kind == ParamKind::kKvK || param.kind == ParamKind::kKvV) && !m.kvCache)
        return fieldError(path, "reads the KV cache but the package has none");
      auto it = sections.find(param.kind == ParamKind::kTma ? param.tma.of : param.kind);
      if (it != sections.end() && !it->second.first->count(param.ref))
        return fieldError(path, fmt::format("unknown {} '{}'", it->second.second, param.ref));
    }
    std::vector<const DimExpr *> extents;
    for (const auto &extent : kernel.grid)
      extents.push_back(&extent);
    for (const auto &param : kernel.params)
      if (param.kind == ParamKind::kTma)
        extents.push_back(&param.tma.rows);
    for (const DimExpr *extent : extents)
      for (const auto &dim : extent->dimNames())
        if (!dims.count(dim))
          return fieldError(fmt::format("kernels[{}]", k), fmt::format("unknown dim '{}' in a grid or tma extent", dim));
  }
  for (size_t i = 0; i < m.buffers.size(); ++i)
    if (m.buffers[i].offset + m.buffers[i].bytes > m.arenaBytes ||
        m.buffers[i].offset % m.arenaAlignment != 0)
      return fieldError(fmt::format("buffers[{}]", i),
                        fmt::format("'{}' [{}, +{}) is misaligned or outside the arena of {} bytes",
                                    m.buffers[i].name, m.buffers[i].offset, m.buffers[i].bytes,
                                    m.arenaBytes));
  for (size_t i = 0; i < m.outputBuffers.size(); ++i)
    if (!buffers.count(m.outputBuffers[i]))
      return fieldError(fmt::format("outputs[{}]", i), fmt::format("unknown buffer '{}'", m.outputBuffers[i]));
  return Status::ok();
}

/// A program entry: a kernel name (launched every step) or {"kernel": name, "when": guard}.
StatusOr<std::pair<std::string, LaunchGuard>> parseProgramEntry(const Json &entry,
                                                                const std::string &path) {
  if (entry.is_string())
    return std::pair{entry.get<std::string>(), LaunchGuard::always()};
  if (!entry.is_object())
    return fieldError(path, "must be a kernel name or {\"kernel\": name, \"when\": guard}");
  LOOM_ASSIGN_OR_RETURN(auto kernel, field<std::string>(entry, path, "kernel"));
  LOOM_ASSIGN_OR_RETURN(auto when, field<std::string>(entry, path, "when"));
  auto guard = LaunchGuard::parse(when);
  if (!guard.isOk())
    return fieldError(path + ".when", guard.status().message());
  return std::pair{kernel, *guard};
}

} // namespace

StatusOr<DType> parseDType(std::string_view name) {
  for (auto [text, dtype] : kDTypes)
    if (name == text)
      return dtype;
  return LOOM_ERROR(StatusCode::kInvalidArgument, fmt::format("unknown dtype '{}'", name));
}

const char *dtypeName(DType dtype) {
  for (auto [text, value] : kDTypes)
    if (value == dtype)
      return text.data();
  return "?";
}

size_t dtypeBytes(DType dtype) {
  switch (dtype) {
  case DType::kBF16:
  case DType::kF16:
    return 2;
  case DType::kF32:
  case DType::kI32:
    return 4;
  case DType::kI64:
    return 8;
  }
  return 0;
}

std::vector<size_t> Manifest::launches(const DimValues &dims) const {
  std::vector<size_t> kernelIndices;
  for (size_t entry = 0; entry < program.size(); ++entry)
    if (programGuards[entry].holds(dims))
      kernelIndices.push_back(program[entry]);
  return kernelIndices;
}

const KernelSpec *Manifest::findKernel(std::string_view name) const {
  for (const auto &kernel : kernels)
    if (kernel.name == name)
      return &kernel;
  return nullptr;
}

StatusOr<Manifest> parseManifest(std::string_view text) {
  Json json = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_object())
    return LOOM_ERROR(StatusCode::kInvalidArgument, "manifest is not a JSON object");
  LOOM_ASSIGN_OR_RETURN(auto format, field<std::string>(json, "", "format"));
  LOOM_ASSIGN_OR_RETURN(auto version, field<int>(json, "", "version"));
  if (format != "loom-package" || version != 1)
    return fieldError("format", fmt::format("expected loom-package version 1, got '{}' version {}", format, version));
  Manifest m;
  LOOM_ASSIGN_OR_RETURN(m.target, field<std::string>(json, "", "target"));
  for (auto [key, flag] : {std::pair{"launch_overlap", &m.launchOverlap},
                           std::pair{"batch_invariant", &m.batchInvariant}})
    if (json.contains(key)) {
      LOOM_ASSIGN_OR_RETURN(*flag, field<bool>(json, "", key));
    }
  if (json.contains("dims")) {
    LOOM_ASSIGN_OR_RETURN(m.maxDims, field<DimValues>(json, "", "dims"));
  }
  for (auto [key, list] : {std::pair{"inputs", &m.inputs}, std::pair{"outputs", &m.outputs}})
    if (const Json *array = optionalArray(json, key))
      for (size_t i = 0; i < array->size(); ++i) {
        auto path = fmt::format("{}[{}]", key, i);
        LOOM_ASSIGN_OR_RETURN(auto tensor, parseTensor((*array)[i], path));
        list->push_back(std::move(tensor));
        if (list == &m.outputs) {
          LOOM_ASSIGN_OR_RETURN(m.outputBuffers.emplace_back(), field<std::string>((*array)[i], path, "buffer"));
        }
      }
  if (const Json *weights = optionalArray(json, "weights"))
    for (size_t i = 0; i < weights->size(); ++i) {
      LOOM_ASSIGN_OR_RETURN(auto weight, parseWeight((*weights)[i], fmt::format("weights[{}]", i)));
      m.weights.push_back(std::move(weight));
    }
  if (auto it = json.find("kv_cache"); it != json.end() && !it->is_null()) {
    KvCacheSpec kv;
    const std::string path = "kv_cache";
    LOOM_ASSIGN_OR_RETURN(kv.layers, field<int64_t>(*it, path, "layers"));
    LOOM_ASSIGN_OR_RETURN(kv.blocks, field<int64_t>(*it, path, "blocks"));
    LOOM_ASSIGN_OR_RETURN(kv.blockSize, field<int64_t>(*it, path, "block_size"));
    LOOM_ASSIGN_OR_RETURN(kv.kvHeads, field<int64_t>(*it, path, "kv_heads"));
    LOOM_ASSIGN_OR_RETURN(kv.headDim, field<int64_t>(*it, path, "head_dim"));
    LOOM_ASSIGN_OR_RETURN(auto dtype, field<std::string>(*it, path, "dtype"));
    LOOM_ASSIGN_OR_RETURN(kv.dtype, parseDType(dtype));
    if (kv.layers <= 0 || kv.blocks <= 0 || kv.blockSize <= 0 || kv.kvHeads <= 0 || kv.headDim <= 0)
      return fieldError(path, "every extent must be positive");
    m.kvCache = kv;
  }
  if (auto it = json.find("arena"); it != json.end()) {
    LOOM_ASSIGN_OR_RETURN(m.arenaBytes, field<uint64_t>(*it, "arena", "bytes"));
    if (it->contains("alignment")) {
      LOOM_ASSIGN_OR_RETURN(m.arenaAlignment, field<uint64_t>(*it, "arena", "alignment"));
    }
    if (m.arenaAlignment == 0 || (m.arenaAlignment & (m.arenaAlignment - 1)) != 0)
      return fieldError("arena.alignment", "must be a power of two");
  }
  if (const Json *buffers = optionalArray(json, "buffers"))
    for (size_t i = 0; i < buffers->size(); ++i) {
      auto path = fmt::format("buffers[{}]", i);
      BufferSpec buffer;
      LOOM_ASSIGN_OR_RETURN(buffer.name, field<std::string>((*buffers)[i], path, "name"));
      LOOM_ASSIGN_OR_RETURN(buffer.offset, field<uint64_t>((*buffers)[i], path, "offset"));
      LOOM_ASSIGN_OR_RETURN(buffer.bytes, field<uint64_t>((*buffers)[i], path, "bytes"));
      m.buffers.push_back(std::move(buffer));
    }
  const Json *kernels = optionalArray(json, "kernels");
  if (!kernels || kernels->empty())
    return fieldError("kernels", "must list at least one kernel");
  for (size_t i = 0; i < kernels->size(); ++i) {
    LOOM_ASSIGN_OR_RETURN(auto kernel, parseKernel((*kernels)[i], fmt::format("kernels[{}]", i)));
    if (m.findKernel(kernel.name))
      return fieldError(fmt::format("kernels[{}]", i), fmt::format("duplicate kernel '{}'", kernel.name));
    m.kernels.push_back(std::move(kernel));
  }
  auto program = json.find("program");
  if (program == json.end() || !program->is_array())
    return fieldError("", "missing 'program' (an array of kernel names and guarded entries)");
  for (size_t i = 0; i < program->size(); ++i) {
    auto path = fmt::format("program[{}]", i);
    LOOM_ASSIGN_OR_RETURN(auto entry, parseProgramEntry((*program)[i], path));
    const KernelSpec *kernel = m.findKernel(entry.first);
    if (!kernel)
      return fieldError(path, fmt::format("unknown kernel '{}'", entry.first));
    for (const std::string &dim : entry.second.dimNames())
      if (!m.maxDims.count(dim))
        return fieldError(path + ".when", fmt::format("guard '{}' reads the dim '{}', which the "
                                                      "package does not bound",
                                                      entry.second.text(), dim));
    m.program.push_back(static_cast<size_t>(kernel - m.kernels.data()));
    m.programGuards.push_back(entry.second);
  }
  LOOM_RETURN_IF_ERROR(checkReferences(m));
  return m;
}

} // namespace loom::rt

// Binding a call's dims from its input shapes and checking them against the graph.
#include "frontend/Jit/CallShapes.h"

#include <fmt/format.h>

namespace loom {

namespace {

std::string inputNames(const CallSignature &signature) {
  std::vector<std::string> names;
  for (const CallSignature::Input &input : signature.inputs)
    names.push_back(input.name);
  return fmt::format("{}", fmt::join(names, ", "));
}

/// Where a dim got its value, for messages: "input 'x' dimension 0".
struct DimOrigin {
  int64_t value;
  std::string where;
};

/// Binds the extents of `input` that name a dim (plain identifiers) from `shape`.
Status bindNamedExtents(const CallSignature::Input &input, const ref::Shape &shape,
                        std::map<std::string, DimOrigin, std::less<>> &bound) {
  for (size_t d = 0; d < input.namedDims.size(); ++d) {
    if (!input.namedDims[d])
      continue; // a constant or an expression: checked once every dim is known
    const std::string &name = *input.namedDims[d];
    std::string where = fmt::format("input '{}' dimension {}", input.name, d);
    auto [known, inserted] = bound.emplace(name, DimOrigin{shape[d], where});
    if (!inserted && known->second.value != shape[d])
      return LOOM_ERROR(StatusCode::kInvalidArgument,
                        fmt::format("dim '{}' is {} in {} but {} in {}", name,
                                    known->second.value, known->second.where, shape[d], where));
  }
  return Status::ok();
}

std::string shapeText(const std::vector<std::string> &extents) {
  return fmt::format("[{}]", fmt::join(extents, ", "));
}

} // namespace

StatusOr<CallSignature> CallSignature::parse(const verify::GraphSignature &signature) {
  CallSignature parsed;
  for (const verify::SignatureTensor &argument : signature.arguments) {
    Input input{argument.name, argument.extents, {}, {}};
    for (const std::string &text : argument.extents) {
      StatusOr<rt::DimExpr> extent = rt::DimExpr::parse(text);
      if (!extent.isOk())
        return extent.status().withContext(fmt::format("input '{}'", argument.name));
      std::vector<std::string> names = extent->dimNames();
      bool plainName = names.size() == 1 && names.front() == extent->text();
      input.namedDims.push_back(plainName ? std::optional(names.front()) : std::nullopt);
      input.extents.push_back(std::move(*extent));
    }
    parsed.inputs.push_back(std::move(input));
  }
  return parsed;
}

StatusOr<rt::DimValues> resolveCallDims(const CallSignature &signature,
                                        const rt::DimValues &maxDims, const InputShapes &shapes) {
  for (const auto &[name, shape] : shapes)
    if (std::none_of(signature.inputs.begin(), signature.inputs.end(),
                     [&](const CallSignature::Input &input) { return input.name == name; }))
      return LOOM_ERROR(StatusCode::kInvalidArgument,
                        fmt::format("the graph has no input '{}'; its inputs are {}", name,
                                    inputNames(signature)));

  std::map<std::string, DimOrigin, std::less<>> bound;
  for (const CallSignature::Input &argument : signature.inputs) {
    auto given = shapes.find(argument.name);
    if (given == shapes.end())
      return LOOM_ERROR(StatusCode::kInvalidArgument,
                        fmt::format("input '{}' {} is missing", argument.name,
                                    shapeText(argument.extentTexts)));
    if (given->second.size() != argument.extentTexts.size())
      return LOOM_ERROR(StatusCode::kInvalidArgument,
                        fmt::format("input '{}' has rank {} ({}) but the graph declares {}",
                                    argument.name, given->second.size(),
                                    ref::shapeString(given->second),
                                    shapeText(argument.extentTexts)));
    if (std::any_of(given->second.begin(), given->second.end(), [](int64_t e) { return e < 0; }))
      return LOOM_ERROR(StatusCode::kInvalidArgument,
                        fmt::format("input '{}' has a negative extent ({})", argument.name,
                                    ref::shapeString(given->second)));
    LOOM_RETURN_IF_ERROR(bindNamedExtents(argument, given->second, bound));
  }

  rt::DimValues dims;
  for (const auto &[name, origin] : bound)
    dims[name] = origin.value;
  for (const auto &[name, maxExtent] : maxDims) {
    auto value = bound.find(name);
    if (value == bound.end())
      return LOOM_ERROR(StatusCode::kInvalidArgument,
                        fmt::format("dim '{}' (bound {}) is not the extent of any input, so a "
                                    "call cannot set it",
                                    name, maxExtent));
    if (value->second.value > maxExtent)
      return LOOM_ERROR(StatusCode::kInvalidArgument,
                        fmt::format("dim '{}' = {} ({}) exceeds its declared bound {}", name,
                                    value->second.value, value->second.where, maxExtent));
  }

  for (const CallSignature::Input &argument : signature.inputs) {
    const ref::Shape &shape = shapes.find(argument.name)->second;
    for (size_t d = 0; d < argument.extents.size(); ++d) {
      StatusOr<int64_t> expected = argument.extents[d].evaluate(dims);
      if (!expected.isOk())
        return expected.status().withContext(fmt::format("input '{}'", argument.name));
      if (*expected != shape[d])
        return LOOM_ERROR(StatusCode::kInvalidArgument,
                          fmt::format("input '{}' has shape {} but the graph declares {}: "
                                      "dimension {} ({}) must be {}",
                                      argument.name, ref::shapeString(shape),
                                      shapeText(argument.extentTexts), d, argument.extentTexts[d],
                                      *expected));
    }
  }
  return dims;
}

} // namespace loom

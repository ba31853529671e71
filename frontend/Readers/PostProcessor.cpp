// TemplateProcessing for a single sequence.
#include "frontend/Readers/PostProcessor.h"

#include "frontend/Readers/JsonFields.h"

#include <fmt/format.h>

namespace loom::frontend {

StatusOr<PostProcessor> PostProcessor::fromJson(const nlohmann::json &value,
                                                const std::string &source) {
  PostProcessor processor;
  if (!value.is_null())
    LOOM_RETURN_IF_ERROR(addSteps(value, source, 0, processor));
  return processor;
}

Status PostProcessor::addSteps(const nlohmann::json &value, const std::string &source, int depth,
                               PostProcessor &out) {
  return forEachPipelineStep(
      value, source, "post_processor", "processors", depth,
      [&](const JsonFields &fields, const std::string &type) -> Status {
        if (type == "ByteLevel")
          return Status::ok();
        if (type != "TemplateProcessing")
          return LOOM_ERROR(StatusCode::kInvalidArgument,
                            fmt::format("{}: unsupported post_processor type '{}' (supported: "
                                        "TemplateProcessing, ByteLevel, Sequence)",
                                        fields.source(), type));
        if (out.hasTemplate_)
          return LOOM_ERROR(StatusCode::kInvalidArgument,
                            fmt::format("{}: more than one TemplateProcessing", fields.source()));
        const nlohmann::json *single = fields.find("single");
        if (!single || !single->is_array())
          return fields.wrongType("single", "a list of template items",
                                  single ? *single : nlohmann::json());
        const nlohmann::json *specials = fields.find("special_tokens");
        for (const nlohmann::json &item : *single) {
          if (item.is_object() && item.contains("Sequence")) {
            out.single_.push_back({true, {}});
            continue;
          }
          if (!item.is_object() || !item.contains("SpecialToken") ||
              !item["SpecialToken"].is_object() || !item["SpecialToken"].contains("id") ||
              !item["SpecialToken"]["id"].is_string())
            return fields.wrongType("single", "SpecialToken or Sequence items", item);
          std::string name = item["SpecialToken"]["id"].get<std::string>();
          if (!specials || !specials->is_object() || !specials->contains(name) ||
              !(*specials)[name].is_object() || !(*specials)[name].contains("ids") ||
              !(*specials)[name]["ids"].is_array())
            return LOOM_ERROR(StatusCode::kInvalidArgument,
                              fmt::format("{}: special token '{}' of the template has no ids in "
                                          "special_tokens",
                                          fields.source(), name));
          Item special{false, {}};
          for (const nlohmann::json &id : (*specials)[name]["ids"]) {
            int64_t value = -1;
            if (!jsonToInt(id, value) || value < 0 || value > INT32_MAX)
              return LOOM_ERROR(StatusCode::kInvalidArgument,
                                fmt::format("{}: special token '{}' has a bad id {}",
                                            fields.source(), name, briefJson(id)));
            special.ids.push_back(static_cast<int32_t>(value));
          }
          out.single_.push_back(std::move(special));
        }
        out.hasTemplate_ = true;
        return Status::ok();
      });
}

std::vector<int32_t> PostProcessor::apply(const std::vector<int32_t> &ids) const {
  if (!hasTemplate_)
    return ids;
  std::vector<int32_t> out;
  for (const Item &item : single_) {
    const std::vector<int32_t> &part = item.isSequence ? ids : item.ids;
    out.insert(out.end(), part.begin(), part.end());
  }
  return out;
}

std::vector<int32_t> PostProcessor::templateIds() const {
  std::vector<int32_t> ids;
  for (const Item &item : single_)
    ids.insert(ids.end(), item.ids.begin(), item.ids.end());
  return ids;
}

} // namespace loom::frontend

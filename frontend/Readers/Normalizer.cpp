// Normalizer steps: Sequence, Prepend, Replace (string pattern), NFC.
#include "frontend/Readers/Normalizer.h"

#include "frontend/Readers/JsonFields.h"

#include <fmt/format.h>

namespace loom::frontend {

std::string replaceAll(std::string_view text, std::string_view pattern, std::string_view content) {
  std::string out;
  size_t start = 0;
  for (size_t hit; (hit = text.find(pattern, start)) != std::string_view::npos;
       start = hit + pattern.size()) {
    out.append(text.substr(start, hit - start));
    out.append(content);
  }
  out.append(text.substr(start));
  return out;
}

StatusOr<Normalizer> Normalizer::fromJson(const nlohmann::json &value, const std::string &source) {
  Normalizer normalizer;
  if (!value.is_null())
    LOOM_RETURN_IF_ERROR(addSteps(value, source, 0, normalizer.steps_));
  return normalizer;
}

Status Normalizer::addSteps(const nlohmann::json &value, const std::string &source, int depth,
                            std::vector<Step> &steps) {
  return forEachPipelineStep(
      value, source, "normalizer", "normalizers", depth,
      [&](const JsonFields &fields, const std::string &type) -> Status {
        if (type == "Prepend") {
          LOOM_ASSIGN_OR_RETURN(std::string prefix, fields.requireString("prepend"));
          steps.push_back(Prepend{std::move(prefix)});
          return Status::ok();
        }
        if (type == "Replace") {
          LOOM_ASSIGN_OR_RETURN(StringReplace replace, readStringReplace(fields));
          steps.push_back(std::move(replace));
          return Status::ok();
        }
        if (type == "NFC")
          return Status::ok();
        return LOOM_ERROR(StatusCode::kInvalidArgument,
                          fmt::format("{}: unsupported normalizer type '{}' (supported: "
                                      "Sequence, Prepend, Replace, NFC)",
                                      fields.source(), type));
      });
}

std::string Normalizer::apply(std::string text) const {
  for (const Step &step : steps_) {
    if (const auto *prepend = std::get_if<Prepend>(&step)) {
      if (!text.empty())
        text = prepend->prefix + text;
    } else {
      const auto &replace = std::get<Replace>(step);
      text = replaceAll(text, replace.pattern, replace.content);
    }
  }
  return text;
}

} // namespace loom::frontend

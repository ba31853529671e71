// TimelineSource: the recorder inserted at the top of a kernel's wrapper.
#include "runtime/CUDA/TimelineSource.h"

#include <fmt/format.h>

namespace loom::rt {

StatusOr<std::string> instrumentForTimeline(std::string_view source, std::string_view kernel) {
  auto notFound = [&](std::string_view what) {
    return LOOM_ERROR(StatusCode::kInvalidArgument,
                      fmt::format("timeline: kernel '{}': {}", kernel, what));
  };
  size_t wrapper = source.find("extern \"C\" __global__");
  if (wrapper == std::string_view::npos)
    return notFound("no extern \"C\" __global__ function");
  // The function's name followed by its parameter list, then the body's opening brace.
  size_t name = wrapper;
  while ((name = source.find(kernel, name)) != std::string_view::npos) {
    size_t after = name + kernel.size();
    bool wholeWord = after < source.size() && source[after] == '(' &&
                     (source[name - 1] == ' ' || source[name - 1] == '*');
    if (wholeWord)
      break;
    name = after;
  }
  if (name == std::string_view::npos)
    return notFound("no function of that name after extern \"C\" __global__");
  int depth = 0;
  size_t at = name + kernel.size();
  for (; at < source.size(); ++at) {
    depth += source[at] == '(' ? 1 : source[at] == ')' ? -1 : 0;
    if (depth == 0)
      break;
  }
  size_t brace = source.find('{', at);
  if (at >= source.size() || brace == std::string_view::npos)
    return notFound("its parameter list or body does not close");
  return fmt::format(
      "#include \"loom/timeline.cuh\"\n{} loom::TimelineScope loom_timeline_scope;{}",
      source.substr(0, brace + 1), source.substr(brace + 1));
}

} // namespace loom::rt

// GridDependencyOrder: checks in PTX that each kernel waits for the previous grid
// (griddepcontrol.wait) before any access to global memory, branch or exit.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace loom::testing {

/// One kernel entry that can touch memory before its grid-dependency wait.
struct WaitOrderViolation {
  std::string entry;       ///< the .entry's name
  std::string instruction; ///< the first offending PTX statement, or "no griddepcontrol.wait"
};

namespace detail {

inline std::string_view trim(std::string_view text) {
  size_t begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string_view::npos)
    return {};
  return text.substr(begin, text.find_last_not_of(" \t\r\n") - begin + 1);
}

/// The opcode of a statement ("ld.global.nc.v4.u32"), without a predicate guard ("@%p1 ").
inline std::string_view opcode(std::string_view statement) {
  if (!statement.empty() && statement[0] == '@')
    statement = trim(statement.substr(statement.find_first_of(" \t")));
  return statement.substr(0, statement.find_first_of(" \t"));
}

/// True when `op` may run before the wait: no global or generic memory access (param, shared,
/// local and const state spaces are the CTA's own or the launch's), no control transfer.
/// L2 prefetches are allowed: they load no register, and L2 is the point of coherence, so a
/// prefetch cannot observe a stale value. An L1 prefetch (prefetch.*.L1, prefetchu.L1) is not: the
/// line it brings into L1 may be stale by the time the previous grid has written it.
inline bool safeBeforeWait(std::string_view op) {
  auto has = [&](std::string_view part) { return op.find(part) != std::string_view::npos; };
  auto startsWith = [&](std::string_view prefix) { return op.substr(0, prefix.size()) == prefix; };
  static constexpr std::string_view kControl[] = {"bra", "brx", "call", "ret", "exit", "trap"};
  for (std::string_view control : kControl)
    if (op == control || startsWith(std::string(control) + "."))
      return false;
  if (startsWith("prefetch"))
    return has(".L2");
  if (startsWith("cp.") && has("prefetch")) // cp.async.bulk.prefetch: into L2
    return true;
  static constexpr std::string_view kMemory[] = {"ld.", "ldu.", "st.", "atom.", "red.", "cp.",
                                                 "tex.", "tld4.", "suld.", "sust.", "multimem.",
                                                 "cvta.", "isspacep."};
  bool memory = false;
  for (std::string_view prefix : kMemory)
    memory |= startsWith(prefix);
  if (!memory || startsWith("cvta.") || startsWith("isspacep."))
    return true; // address arithmetic touches no memory
  if (has(".global"))
    return false;
  return has(".param") || has(".shared") || has(".local") || has(".const");
}

} // namespace detail

/// Every .entry of `ptx` whose first griddepcontrol.wait is missing or preceded by a global or
/// generic memory access or a branch/exit (which could let a CTA finish without waiting and so
/// let the next kernel start before this kernel's predecessor has finished).
inline std::vector<WaitOrderViolation> findWaitOrderViolations(std::string_view ptx) {
  std::vector<WaitOrderViolation> violations;
  size_t at = 0;
  while ((at = ptx.find(".entry ", at)) != std::string_view::npos) {
    size_t nameBegin = at + 7, nameEnd = ptx.find_first_of("( \n", nameBegin);
    std::string entry(ptx.substr(nameBegin, nameEnd - nameBegin));
    size_t body = ptx.find('{', ptx.find(')', nameEnd));
    if (body == std::string_view::npos)
      break;
    int depth = 0;
    size_t end = body;
    for (; end < ptx.size(); ++end) {
      depth += ptx[end] == '{' ? 1 : ptx[end] == '}' ? -1 : 0;
      if (depth == 0)
        break;
    }
    std::string_view text = ptx.substr(body + 1, end - body - 1);
    std::string offending = "no griddepcontrol.wait";
    size_t start = 0;
    while (start < text.size()) {
      size_t stop = text.find_first_of(";\n", start);
      if (stop == std::string_view::npos)
        stop = text.size();
      std::string_view statement = detail::trim(text.substr(start, stop - start));
      start = stop + 1;
      while (!statement.empty() && (statement[0] == '{' || statement[0] == '}'))
        statement = detail::trim(statement.substr(1)); // inline-asm scopes
      if (statement.empty() || statement[0] == '.' || statement[0] == '/' || statement.back() == ':')
        continue; // declarations, comments, labels
      std::string_view op = detail::opcode(statement);
      if (op.substr(0, 19) == "griddepcontrol.wait") {
        offending.clear();
        break;
      }
      if (!detail::safeBeforeWait(op)) {
        offending = std::string(statement);
        break;
      }
    }
    if (!offending.empty())
      violations.push_back({entry, offending});
    at = end;
  }
  return violations;
}

} // namespace loom::testing

// GridDependencyOrder: checks in PTX that each kernel waits for the previous grid
// (griddepcontrol.wait) before any access to global memory, branch or exit — except, in a kernel
// the compiler marked, loads of its one package-weight parameter.
#pragma once

#include <map>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace loom::testing {

/// One kernel entry that can touch memory before its grid-dependency wait.
struct WaitOrderViolation {
  std::string entry;       ///< the .entry's name
  std::string instruction; ///< the first offending PTX statement, or "no griddepcontrol.wait"
};

/// What one .entry does before its first griddepcontrol.wait.
struct EntryWaitOrder {
  std::string entry;
  std::string offending;      ///< empty when the order is safe
  int weightLoadsBeforeWait = 0; ///< global loads of the allowed weight parameter before the wait
};

namespace detail {

inline std::string_view trim(std::string_view text) {
  size_t begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string_view::npos)
    return {};
  return text.substr(begin, text.find_last_not_of(" \t\r\n") - begin + 1);
}

/// The statement without its predicate guard ("@%p1 ").
inline std::string_view unguarded(std::string_view statement) {
  if (!statement.empty() && statement[0] == '@')
    statement = trim(statement.substr(statement.find_first_of(" \t")));
  return statement;
}

/// The opcode of a statement ("ld.global.nc.v4.u32"), without a predicate guard.
inline std::string_view opcode(std::string_view statement) {
  statement = unguarded(statement);
  return statement.substr(0, statement.find_first_of(" \t"));
}

inline bool startsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

/// True when `op` may run before the wait: no global or generic memory access (param, shared,
/// local and const state spaces are the CTA's own or the launch's), no control transfer.
/// L2 prefetches are allowed: they load no register, and L2 is the point of coherence, so a
/// prefetch cannot observe a stale value. An L1 prefetch (prefetch.*.L1, prefetchu.L1) is not: the
/// line it brings into L1 may be stale by the time the previous grid has written it.
inline bool safeBeforeWait(std::string_view op) {
  auto has = [&](std::string_view part) { return op.find(part) != std::string_view::npos; };
  static constexpr std::string_view kControl[] = {"bra", "brx", "call", "ret", "exit", "trap"};
  for (std::string_view control : kControl)
    if (op == control || startsWith(op, std::string(control) + "."))
      return false;
  if (startsWith(op, "prefetch"))
    return has(".L2");
  if (startsWith(op, "cp.") && has("prefetch")) // cp.async.bulk.prefetch: into L2
    return true;
  static constexpr std::string_view kMemory[] = {"ld.", "ldu.", "st.", "atom.", "red.", "cp.",
                                                 "tex.", "tld4.", "suld.", "sust.", "multimem.",
                                                 "cvta.", "isspacep."};
  bool memory = false;
  for (std::string_view prefix : kMemory)
    memory |= startsWith(op, prefix);
  if (!memory || startsWith(op, "cvta.") || startsWith(op, "isspacep."))
    return true; // address arithmetic touches no memory
  if (has(".global"))
    return false;
  return has(".param") || has(".shared") || has(".local") || has(".const");
}

/// The registers ("%rd7", "%r12") named in `text`.
inline std::vector<std::string> registersIn(std::string_view text) {
  static const std::regex kRegister(R"(%[A-Za-z_][A-Za-z0-9_]*)");
  std::vector<std::string> names;
  std::string copy(text);
  for (auto it = std::sregex_iterator(copy.begin(), copy.end(), kRegister); it != std::sregex_iterator(); ++it)
    names.push_back(it->str());
  return names;
}

/// The operands of a statement after its opcode, split at top-level commas.
inline std::vector<std::string_view> operands(std::string_view statement) {
  statement = unguarded(statement);
  size_t begin = statement.find_first_of(" \t");
  std::vector<std::string_view> parts;
  if (begin == std::string_view::npos)
    return parts;
  int depth = 0;
  size_t start = begin + 1;
  for (size_t i = start; i <= statement.size(); ++i) {
    char c = i < statement.size() ? statement[i] : ',';
    depth += (c == '{' || c == '[') ? 1 : (c == '}' || c == ']') ? -1 : 0;
    if (c == ',' && depth == 0) {
      parts.push_back(trim(statement.substr(start, i - start)));
      start = i + 1;
    }
  }
  return parts;
}

/// Where each register's value may come from, before the wait: kernel parameter indices, or
/// kLoaded for a value read from memory. An address is the weight's when it comes from the
/// weight parameter and from no other pointer parameter and no loaded value (integer parameters,
/// e.g. sizes, may take part in the offset).
class AddressOrigins {
public:
  static constexpr int kLoaded = -1;

  AddressOrigins(std::string_view entry, std::set<int> pointerParameters)
      : entry_(entry), pointerParameters_(std::move(pointerParameters)) {}

  /// Records what `statement` (op `op`) writes; a load's value counts as kLoaded, an ld.param's as
  /// its parameter. A predicated statement ("@%p1 mov ...") may not run, so its destination keeps
  /// its old origins as well as gaining the new ones.
  void record(std::string_view statement, std::string_view op) {
    std::vector<std::string_view> parts = operands(statement);
    if (parts.empty() || parts[0].empty() || parts[0].front() == '[')
      return; // no register written (a store, a barrier)
    std::set<int> origins;
    if (startsWith(op, "ld.param")) {
      if (auto index = parameterIn(parts.back()))
        origins.insert(*index);
    } else if (startsWith(op, "ld.") || startsWith(op, "ldu.")) {
      origins.insert(kLoaded);
    } else {
      for (size_t i = 1; i < parts.size(); ++i)
        for (const std::string &reg : registersIn(parts[i]))
          origins.insert(origins_[reg].begin(), origins_[reg].end());
    }
    bool predicated = statement.front() == '@';
    for (const std::string &reg : registersIn(parts[0])) {
      if (predicated)
        origins_[reg].insert(origins.begin(), origins.end());
      else
        origins_[reg] = origins;
    }
  }

  /// True when the address operand of the load `statement` comes from parameter `weight` alone.
  bool addressFrom(std::string_view statement, int weight) {
    std::vector<std::string_view> parts = operands(statement);
    if (parts.empty() || parts.back().empty() || parts.back().front() != '[')
      return false;
    std::set<int> origins;
    for (const std::string &reg : registersIn(parts.back()))
      origins.insert(origins_[reg].begin(), origins_[reg].end());
    if (!origins.contains(weight) || origins.contains(kLoaded))
      return false;
    for (int origin : origins)
      if (origin != weight && pointerParameters_.contains(origin))
        return false;
    return true;
  }

private:
  std::optional<int> parameterIn(std::string_view address) const {
    std::string prefix = entry_ + "_param_";
    size_t at = address.find(prefix);
    if (at == std::string_view::npos)
      return std::nullopt;
    return std::atoi(std::string(address.substr(at + prefix.size())).c_str());
  }

  std::string entry_;
  std::set<int> pointerParameters_;
  std::map<std::string, std::set<int>> origins_;
};

/// The indices of the .u64/.b64 (pointer) parameters in an .entry's parameter list.
inline std::set<int> pointerParameters(std::string_view list, std::string_view entry) {
  std::set<int> pointers;
  static const std::regex kParameter(R"(\.param\s+\.(u64|b64|s64)[^,)]*_param_([0-9]+))");
  std::string copy(list);
  for (auto it = std::sregex_iterator(copy.begin(), copy.end(), kParameter); it != std::sregex_iterator(); ++it)
    pointers.insert(std::stoi((*it)[2].str()));
  return pointers;
}

} // namespace detail

/// The parameter index a kernel's source declares it loads before its grid-dependency wait (the
/// emitter's `// loom.reads-before-wait: parameter N (...)` line), if any.
inline std::optional<int> readsBeforeWaitParameter(const std::string &source) {
  static const std::regex kMarker(R"(// loom\.reads-before-wait: parameter ([0-9]+) )");
  std::smatch match;
  if (!std::regex_search(source, match, kMarker))
    return std::nullopt;
  return std::stoi(match[1].str());
}

/// Each .entry of `ptx`: the first statement before its first griddepcontrol.wait that is a
/// global or generic memory access or a branch/exit (which could let a CTA finish without
/// waiting and so let the next kernel start before this kernel's predecessor has finished), or
/// "no griddepcontrol.wait". With `weight`, global loads whose address comes from that parameter
/// alone (ld.param, then address arithmetic) are allowed too, and counted.
inline std::vector<EntryWaitOrder> checkWaitOrder(std::string_view ptx, std::optional<int> weight = std::nullopt) {
  std::vector<EntryWaitOrder> entries;
  size_t at = 0;
  while ((at = ptx.find(".entry ", at)) != std::string_view::npos) {
    size_t nameBegin = at + 7, nameEnd = ptx.find_first_of("( \n", nameBegin);
    EntryWaitOrder order{std::string(ptx.substr(nameBegin, nameEnd - nameBegin)), "no griddepcontrol.wait"};
    size_t listEnd = ptx.find(')', nameEnd);
    size_t body = ptx.find('{', listEnd);
    if (body == std::string_view::npos)
      break;
    detail::AddressOrigins origins(order.entry, detail::pointerParameters(ptx.substr(nameEnd, listEnd - nameEnd), order.entry));
    int depth = 0;
    size_t end = body;
    for (; end < ptx.size(); ++end) {
      depth += ptx[end] == '{' ? 1 : ptx[end] == '}' ? -1 : 0;
      if (depth == 0)
        break;
    }
    std::string_view text = ptx.substr(body + 1, end - body - 1);
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
        order.offending.clear();
        break;
      }
      bool weightLoad = weight && detail::startsWith(op, "ld.global") && origins.addressFrom(statement, *weight);
      if (!weightLoad && !detail::safeBeforeWait(op)) {
        order.offending = std::string(statement);
        break;
      }
      order.weightLoadsBeforeWait += weightLoad ? 1 : 0;
      origins.record(statement, op);
    }
    entries.push_back(order);
    at = end;
  }
  return entries;
}

/// The entries of checkWaitOrder(ptx, weight) whose order is not safe.
inline std::vector<WaitOrderViolation> findWaitOrderViolations(std::string_view ptx,
                                                               std::optional<int> weight = std::nullopt) {
  std::vector<WaitOrderViolation> violations;
  for (const EntryWaitOrder &order : checkWaitOrder(ptx, weight))
    if (!order.offending.empty())
      violations.push_back({order.entry, order.offending});
  return violations;
}

} // namespace loom::testing

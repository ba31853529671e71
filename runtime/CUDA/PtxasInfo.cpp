// Parsing of ptxas verbose output, e.g.
//   ptxas info    : Compiling entry function 'k' for 'sm_90a'
//   ptxas         .     0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
//   ptxas info    : Used 10 registers, used 1 barriers, 1024 bytes smem
#include "runtime/CUDA/PtxasInfo.h"

#include <cstdlib>

namespace loom::rt {
namespace {

/// The integer right before `suffix` in `line` (e.g. "12" in "Used 12 registers"), or -1.
int numberBefore(std::string_view line, std::string_view suffix) {
  size_t at = line.find(suffix);
  if (at == std::string_view::npos)
    return -1;
  size_t end = at;
  while (end > 0 && line[end - 1] == ' ')
    --end;
  size_t begin = end;
  while (begin > 0 && line[begin - 1] >= '0' && line[begin - 1] <= '9')
    --begin;
  if (begin == end)
    return -1;
  return std::atoi(std::string(line.substr(begin, end - begin)).c_str());
}

} // namespace

std::vector<KernelResources> parsePtxasInfo(std::string_view log) {
  std::vector<KernelResources> kernels;
  constexpr std::string_view kEntry = "Compiling entry function '";
  while (!log.empty()) {
    size_t newline = log.find('\n');
    std::string_view line = log.substr(0, newline);
    log = newline == std::string_view::npos ? std::string_view() : log.substr(newline + 1);
    if (size_t at = line.find(kEntry); at != std::string_view::npos) {
      std::string_view rest = line.substr(at + kEntry.size());
      kernels.push_back({std::string(rest.substr(0, rest.find('\'')))});
      continue;
    }
    if (kernels.empty())
      continue;
    KernelResources &current = kernels.back();
    if (line.find("registers") != std::string_view::npos) {
      current.registers = numberBefore(line, "registers");
      int shared = numberBefore(line, "bytes smem");
      current.sharedBytes = shared < 0 ? 0 : shared;
    } else if (line.find("stack frame") != std::string_view::npos) {
      current.stackBytes = numberBefore(line, "bytes stack frame");
      current.spillStoreBytes = numberBefore(line, "bytes spill stores");
      current.spillLoadBytes = numberBefore(line, "bytes spill loads");
    }
  }
  return kernels;
}

} // namespace loom::rt

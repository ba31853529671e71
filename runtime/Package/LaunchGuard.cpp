// LaunchGuard: parsing of a program entry's `when` and its evaluation for a step's dims.
#include "runtime/Package/LaunchGuard.h"

#include <utility>

namespace loom::rt {

namespace {

constexpr std::pair<std::string_view, LaunchGuard> kGuardNames[] = {
    {"always", LaunchGuard::kAlways}, {"decode", LaunchGuard::kDecode}, {"prefill", LaunchGuard::kPrefill}};

} // namespace

std::optional<LaunchGuard> parseLaunchGuard(std::string_view when) {
  for (auto [name, guard] : kGuardNames)
    if (name == when && guard != LaunchGuard::kAlways)
      return guard;
  return std::nullopt;
}

const char *launchGuardName(LaunchGuard guard) {
  for (auto [name, candidate] : kGuardNames)
    if (candidate == guard)
      return name.data();
  return "?";
}

bool isDecodeStep(const DimValues &dims) {
  auto tokens = dims.find("tokens"), seqs = dims.find("seqs");
  return tokens != dims.end() && seqs != dims.end() && tokens->second == seqs->second;
}

bool launchesOn(LaunchGuard guard, const DimValues &dims) {
  switch (guard) {
  case LaunchGuard::kAlways:
    return true;
  case LaunchGuard::kDecode:
    return isDecodeStep(dims);
  case LaunchGuard::kPrefill:
    return !isDecodeStep(dims);
  }
  return true;
}

} // namespace loom::rt

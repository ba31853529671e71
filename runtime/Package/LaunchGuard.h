// LaunchGuard: which steps a program entry of a package launches on (decode-only or prefill).
#pragma once

#include "runtime/Package/DimExpr.h"

#include <optional>
#include <string_view>

namespace loom::rt {

/// A program entry's `when` (docs/package.md "program"): every step, decode-only steps (each
/// sequence computes one token: tokens == seqs), or the other steps.
enum class LaunchGuard { kAlways, kDecode, kPrefill };

/// The guard spelled "decode" or "prefill"; nullopt for any other text.
std::optional<LaunchGuard> parseLaunchGuard(std::string_view when);
/// "always", "decode" or "prefill".
const char *launchGuardName(LaunchGuard guard);

/// Whether a step with `dims` is decode-only: it has "tokens" and "seqs" and they are equal
/// (the forward-step contract gives every sequence of a step at least one token).
bool isDecodeStep(const DimValues &dims);

/// Whether an entry guarded by `guard` launches on a step with `dims`.
bool launchesOn(LaunchGuard guard, const DimValues &dims);

} // namespace loom::rt

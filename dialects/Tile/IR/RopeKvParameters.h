// RopeKvParameters: the names of the kernel parameters that carry loom::RopeFrequencies.
#pragma once

// Header-only and free of MLIR, so that graph-to-tile (which adds the parameters) and the CUDA
// target (which passes them to loom::epi::makeRopeKvAppend) read one list.

#include <array>
#include <string_view>

namespace loom::tile {

/// The f32 kernel parameters of loom::RopeFrequencies{theta, factor, lowFreqFactor, highFreqFactor,
/// originalMaxPosition} (runtime/DeviceLib/loom/rope.cuh), in its field order.
inline constexpr std::array<std::string_view, 5> kRopeFrequencyParameters = {
    "theta", "factor", "low_freq_factor", "high_freq_factor", "original_max_position"};

} // namespace loom::tile

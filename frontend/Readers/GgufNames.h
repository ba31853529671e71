// GGUF ↔ Hugging Face tensor names of Llama-family models, and llama.cpp's Q/K row order.
#pragma once

#include "runtime/Support/Status.h"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace loom::frontend {

/// The Hugging Face name of a llama.cpp tensor name, e.g. "blk.3.attn_q.weight" →
/// "model.layers.3.self_attn.q_proj.weight"; nullopt for a name with no HF equivalent
/// (e.g. "rope_freqs.weight").
std::optional<std::string> ggufToHfTensorName(std::string_view ggufName);

/// Which rotary projection an HF tensor name is, if any: llama.cpp stores these rows
/// permuted (see `unpermuteRopeRows`).
enum class RopeProjection { kNone, kQuery, kKey };
RopeProjection ropeProjectionOf(std::string_view hfName);

/// Undoes the row permutation llama.cpp's convert_hf_to_gguf.py applies to Llama
/// q_proj/k_proj weights and biases so that its interleaved-pair RoPE matches HF's
/// rotate-half RoPE.
///
/// The converter reshapes the rows of each head (size D) as [2, D/2] and swaps the
/// axes: HF row h*D + i*D/2 + j is stored at GGUF row h*D + 2*j + i. This restores
/// HF order in place. `values` is row-major [rows, cols]; `heads` is the number of
/// attention heads for q_proj and of key/value heads for k_proj.
Status unpermuteRopeRows(std::span<float> values, int64_t rows, int64_t cols, int64_t heads);

} // namespace loom::frontend

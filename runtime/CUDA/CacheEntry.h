// CacheEntry: the on-disk form of a CompiledKernel, with a header (magic, version, payload
// length, payload checksum) so a truncated or corrupted file is detected instead of loaded.
#pragma once

#include "runtime/CUDA/CompiledKernel.h"
#include "runtime/Support/Status.h"

#include <string>
#include <string_view>

namespace loom::rt {

/// Header (32 bytes): "LOOMKRN1", u32 format version, u32 zero, u64 payload bytes,
/// u64 checksum64 of the payload. Payload: cubin, PTX and log, each as u64 length + bytes.
std::string encodeCacheEntry(const CompiledKernel &kernel);

/// The kernel, or kIoError "corrupt cache entry: <why>" for any mismatch.
StatusOr<CompiledKernel> decodeCacheEntry(std::string_view bytes);

} // namespace loom::rt

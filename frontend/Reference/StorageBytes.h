// HostTensor ↔ the bytes a device buffer holds (bf16/f16 bit patterns, f32, i32, i64).
#pragma once

#include "frontend/Reference/HostTensor.h"

#include <cstddef>
#include <span>
#include <vector>

namespace loom::ref {

/// Bytes per element of `type` in device storage (2 for bf16/f16, 4 for f32/i32, 8 for i64).
size_t storageSize(ElementType type);

/// The tensor as its device storage, little-endian: bf16/f16 as 16-bit patterns of the (already
/// rounded) values, f32 as is, i32/i64 as integers. Upload this to run a kernel on the same
/// inputs as the reference.
std::vector<std::byte> toStorageBytes(const HostTensor &tensor);

/// A tensor of `type` and `shape` from device storage bytes (e.g. a kernel's output copied
/// back); the byte count must be the element count times storageSize(type).
StatusOr<HostTensor> fromStorageBytes(ElementType type, Shape shape,
                                      std::span<const std::byte> bytes);

} // namespace loom::ref

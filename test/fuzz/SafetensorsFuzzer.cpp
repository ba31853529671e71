// libFuzzer target: arbitrary bytes as a safetensors file (header validation + float views).
#include "frontend/Readers/SafetensorsHeader.h"
#include "frontend/Readers/TensorView.h"

#include <cstdlib>

using namespace loom::frontend;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::span<const uint8_t> file(data, size);
  auto header = parseSafetensorsHeader(file, "fuzz.safetensors");
  if (!header.isOk())
    return header.status().message().empty() ? (std::abort(), 0) : 0;
  for (const TensorEntry &entry : header->tensors) {
    // Validation promises every entry lies inside the file and matches its shape.
    if (header->dataOffset + entry.end > size || entry.begin > entry.end)
      std::abort();
    TensorView view{entry.name, entry.dtype, entry.shape,
                    data + header->dataOffset + entry.begin, entry.end - entry.begin};
    if (static_cast<uint64_t>(view.numElements()) * dtypeSize(entry.dtype) != view.bytes)
      std::abort();
    if (isFloatingPoint(entry.dtype) && view.bytes <= (1u << 20)) {
      auto values = toFloat32(view);
      if (!values.isOk() || values->size() != static_cast<size_t>(view.numElements()))
        std::abort();
    }
  }
  return 0;
}

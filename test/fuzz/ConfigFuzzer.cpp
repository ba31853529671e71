// libFuzzer target: arbitrary text as config.json.
#include "frontend/Readers/ModelConfig.h"

#include <cstdlib>
#include <string_view>

using namespace loom::frontend;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string_view text(reinterpret_cast<const char *>(data), size);
  auto config = parseModelConfig(text, "fuzz/config.json");
  if (!config.isOk()) {
    if (config.status().message().find("fuzz/config.json") == std::string::npos)
      std::abort(); // every error names the file
    return 0;
  }
  // An accepted config is internally consistent.
  if (config->hiddenSize <= 0 || config->headDim <= 0 || config->numKeyValueHeads <= 0 ||
      config->numAttentionHeads % config->numKeyValueHeads != 0)
    std::abort();
  return 0;
}

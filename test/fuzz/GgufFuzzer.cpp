// libFuzzer target: arbitrary bytes as a GGUF file (header, metadata, tensor table,
// dequantization, config, tokenizer and chat format).
#include "frontend/Readers/GgufModel.h"

#include <cstdlib>

using namespace loom;
using namespace loom::frontend;

namespace {

/// Checks what validation promises about an accepted file's tensor table.
void checkTensors(const GgufFile &file, size_t size) {
  for (const GgufTensorInfo &tensor : file.tensors()) {
    if (tensor.offset % file.alignment() != 0 || file.dataOffset() > size ||
        tensor.offset + tensor.bytes > size - file.dataOffset())
      std::abort();
    if (tensor.numElements % tensor.type->blockElements != 0 ||
        static_cast<uint64_t>(tensor.numElements / tensor.type->blockElements *
                              tensor.type->blockBytes) != tensor.bytes)
      std::abort();
    if (tensor.bytes > (1u << 20))
      continue;
    StatusOr<std::vector<float>> values = file.dequantize(tensor);
    if (values.isOk() != (tensor.type->dequantize != nullptr) ||
        (values.isOk() && values->size() != static_cast<size_t>(tensor.numElements)))
      std::abort();
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  StatusOr<GgufFile> file = GgufFile::parse({data, size}, "fuzz.gguf");
  if (!file.isOk()) {
    if (file.status().message().find("fuzz.gguf") == std::string::npos)
      std::abort(); // every error names the file
    return 0;
  }
  checkTensors(*file, size);
  StatusOr<GgufModel> model = GgufModel::fromFile(std::move(*file));
  if (!model.isOk())
    return 0;
  const ModelConfig &config = model->config();
  if (config.hiddenSize <= 0 || config.headDim <= 0 || config.numKeyValueHeads <= 0 ||
      config.numAttentionHeads % config.numKeyValueHeads != 0 ||
      model->tokenizer().vocabSize() != config.vocabSize)
    std::abort();
  for (const std::string &name : model->tensorNames()) {
    StatusOr<FloatTensor> tensor = model->loadTensor(name);
    (void)tensor;
  }
  StatusOr<std::vector<int32_t>> ids = model->tokenizer().encode("Hello <|im_start|> world 12");
  if (ids.isOk())
    (void)model->tokenizer().decode(*ids);
  StatusOr<ChatTemplate> chat = model->chatTemplate();
  if (chat.isOk())
    (void)chat->render(std::vector<ChatMessage>{{"user", "hi"}});
  return 0;
}

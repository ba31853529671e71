// A Llama-family model in one GGUF file, presented like a Hugging Face model folder.
#pragma once

#include "frontend/Readers/ChatTemplate.h"
#include "frontend/Readers/GgufFile.h"
#include "frontend/Readers/ModelConfig.h"
#include "frontend/Readers/Tokenizer.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace loom::frontend {

/// A host tensor of f32 values in row-major order.
struct FloatTensor {
  std::vector<int64_t> shape;
  std::vector<float> values;
};

/// The config, tokenizer, chat format and weights of a GGUF model, with weights
/// named and laid out as in the model's Hugging Face checkpoint, so one model builder
/// reads both formats. Weights are dequantized to f32 when loaded.
class GgufModel {
public:
  /// Opens `path` and reads its config and tokenizer; every tensor must have an HF name.
  static StatusOr<GgufModel> open(const std::string &path);
  /// The same from an already parsed file.
  static StatusOr<GgufModel> fromFile(GgufFile file);

  const ModelConfig &config() const { return config_; }
  const Tokenizer &tokenizer() const { return tokenizer_; }
  /// The chat format, or why none is known (the caller then prompts with plain text).
  StatusOr<ChatTemplate> chatTemplate() const;

  /// Hugging Face tensor names, sorted (e.g. "model.layers.0.self_attn.q_proj.weight").
  std::vector<std::string> tensorNames() const;
  bool contains(std::string_view hfName) const { return byHfName_.count(hfName) != 0; }
  /// The GGUF table entry of `hfName`, without loading it: its shape is already the HF
  /// (row-major) shape, its type the stored ggml type; kNotFound naming it when absent.
  StatusOr<const GgufTensorInfo *> tensorInfo(std::string_view hfName) const;
  /// The tensor `hfName` dequantized to f32 in HF layout: row-major shape, and
  /// q_proj/k_proj rows restored from llama.cpp's RoPE order (`unpermuteRopeRows`).
  StatusOr<FloatTensor> loadTensor(std::string_view hfName) const;

  const GgufFile &file() const { return file_; }

private:
  GgufModel(GgufFile file, ModelConfig config, Tokenizer tokenizer)
      : file_(std::move(file)), config_(std::move(config)), tokenizer_(std::move(tokenizer)) {}

  GgufFile file_;
  ModelConfig config_;
  Tokenizer tokenizer_;
  std::optional<ChatTemplate> chatTemplate_;
  Status chatTemplateStatus_;
  std::map<std::string, size_t, std::less<>> byHfName_; ///< HF name → index in file_.tensors()
};

/// The chat format of a GGUF model: from `tokenizer.chat_template` when present, else
/// from its family (`general.basename`, then `general.name`).
StatusOr<ChatTemplate> ggufChatTemplate(const GgufMetadata &metadata);

} // namespace loom::frontend

// libFuzzer target: arbitrary text through the stories260k tokenizer. Valid UTF-8
// must round-trip through encode → decode, and the stream must equal decode.
#include "frontend/Readers/StreamDecoder.h"
#include "frontend/Readers/Tokenizer.h"
#include "frontend/Readers/Utf8.h"

#include <cstdlib>
#include <string_view>

using namespace loom::frontend;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const Tokenizer tokenizer = [] {
    auto loaded = Tokenizer::open(LOOM_SHARED_DIR "/models/stories260k");
    if (!loaded.isOk())
      std::abort();
    return std::move(*loaded);
  }();
  std::string_view text(reinterpret_cast<const char *>(data), size);
  auto ids = tokenizer.encode(text);
  if (!ids.isOk()) {
    if (isValidUtf8(text))
      std::abort(); // byte fallback covers every valid character
    return 0;
  }
  auto decoded = tokenizer.decode(*ids, /*skipSpecialTokens=*/true);
  if (!decoded.isOk())
    std::abort();
  // "▁" and the special tokens' text do not survive a round trip; everything else does.
  bool plain = text.find("\u2581") == std::string_view::npos &&
               text.find("<s>") == std::string_view::npos &&
               text.find("</s>") == std::string_view::npos &&
               text.find("<unk>") == std::string_view::npos;
  if (plain && *decoded != text)
    std::abort();
  StreamDecoder stream(tokenizer);
  std::string streamed;
  for (int32_t id : *ids) {
    auto delta = stream.push(id);
    if (!delta.isOk() || !isValidUtf8(*delta))
      std::abort();
    streamed += *delta;
  }
  streamed += stream.finish();
  if (streamed != *decoded)
    std::abort();
  return 0;
}

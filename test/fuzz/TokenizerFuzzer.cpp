// libFuzzer target: arbitrary text as tokenizer.json; an accepted tokenizer must
// encode and decode without failing on its own vocabulary.
#include "frontend/Readers/StreamDecoder.h"
#include "frontend/Readers/Tokenizer.h"

#include <cstdlib>
#include <string_view>

using namespace loom::frontend;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string_view text(reinterpret_cast<const char *>(data), size);
  auto tokenizer = Tokenizer::fromJson(text, "fuzz/tokenizer.json");
  if (!tokenizer.isOk())
    return 0;
  for (std::string_view sample : {"Once upon a time", " a  b\n\n", "日本 🙂 <s>", ""}) {
    auto ids = tokenizer->encode(sample);
    if (!ids.isOk())
      continue; // e.g. a character neither in the vocab nor covered by unk
    auto decoded = tokenizer->decode(*ids);
    if (!decoded.isOk())
      std::abort(); // every id encode produced must decode
    StreamDecoder stream(*tokenizer, /*skipSpecialTokens=*/false);
    for (int32_t id : *ids)
      if (!stream.push(id).isOk())
        std::abort();
    stream.finish();
  }
  return 0;
}

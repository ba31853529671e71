// Digest of the embedded device library.
#include "runtime/DeviceLib/DeviceLib.h"

#include "runtime/Support/Hash.h"

namespace loom::rt {

const std::string &deviceLibDigest() {
  static const std::string digest = [] {
    Sha256 hash;
    for (const EmbeddedHeader &header : deviceLibHeaders()) {
      hash.updateField(header.includeName);
      hash.updateField(header.contents);
    }
    return hash.hexDigest();
  }();
  return digest;
}

} // namespace loom::rt

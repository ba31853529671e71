// Cache entry encoding.
#include "runtime/CUDA/CacheEntry.h"

#include "runtime/Support/Hash.h"

#include <fmt/format.h>

#include <cstring>

namespace loom::rt {
namespace {

constexpr char kMagic[8] = {'L', 'O', 'O', 'M', 'K', 'R', 'N', '1'};
constexpr uint32_t kFormatVersion = 1;

struct EntryHeader {
  char magic[8];
  uint32_t version;
  uint32_t reserved;
  uint64_t payloadBytes;
  uint64_t payloadChecksum;
};
static_assert(sizeof(EntryHeader) == 32);

void appendField(std::string &out, std::string_view field) {
  uint64_t length = field.size();
  out.append(reinterpret_cast<const char *>(&length), sizeof(length));
  out.append(field);
}

bool readField(std::string_view &in, std::string &field) {
  uint64_t length = 0;
  if (in.size() < sizeof(length))
    return false;
  std::memcpy(&length, in.data(), sizeof(length));
  in.remove_prefix(sizeof(length));
  if (length > in.size())
    return false;
  field.assign(in.substr(0, length));
  in.remove_prefix(length);
  return true;
}

Status corrupt(const std::string &why) {
  return Status(StatusCode::kIoError, "corrupt cache entry: " + why);
}

} // namespace

std::string encodeCacheEntry(const CompiledKernel &kernel) {
  std::string payload;
  appendField(payload, kernel.cubin);
  appendField(payload, kernel.ptx);
  appendField(payload, kernel.log);
  EntryHeader header{};
  std::memcpy(header.magic, kMagic, sizeof(kMagic));
  header.version = kFormatVersion;
  header.payloadBytes = payload.size();
  header.payloadChecksum = checksum64(payload.data(), payload.size());
  std::string bytes(reinterpret_cast<const char *>(&header), sizeof(header));
  return bytes + payload;
}

StatusOr<CompiledKernel> decodeCacheEntry(std::string_view bytes) {
  EntryHeader header;
  if (bytes.size() < sizeof(header))
    return corrupt(fmt::format("{} bytes is shorter than the header", bytes.size()));
  std::memcpy(&header, bytes.data(), sizeof(header));
  if (std::memcmp(header.magic, kMagic, sizeof(kMagic)) != 0)
    return corrupt("bad magic");
  if (header.version != kFormatVersion)
    return corrupt(fmt::format("format version {} (expected {})", header.version,
                               kFormatVersion));
  std::string_view payload = bytes.substr(sizeof(header));
  if (payload.size() != header.payloadBytes)
    return corrupt(fmt::format("payload is {} bytes, header says {}", payload.size(),
                               header.payloadBytes));
  if (checksum64(payload.data(), payload.size()) != header.payloadChecksum)
    return corrupt("checksum mismatch");
  CompiledKernel kernel;
  if (!readField(payload, kernel.cubin) || !readField(payload, kernel.ptx) ||
      !readField(payload, kernel.log) || !payload.empty())
    return corrupt("malformed payload");
  if (kernel.cubin.empty())
    return corrupt("empty cubin");
  kernel.resources = parsePtxasInfo(kernel.log);
  return kernel;
}

} // namespace loom::rt

// Reading a package folder.
#include "runtime/Package/Package.h"

#include "runtime/Support/Files.h"

#include <fmt/format.h>

namespace loom::rt {

StatusOr<Package> makePackage(std::string_view manifestJson,
                              const std::map<std::string, std::string> &sourcesByPath) {
  Package package;
  LOOM_ASSIGN_OR_RETURN(package.manifest, parseManifest(manifestJson));
  for (const KernelSpec &kernel : package.manifest.kernels) {
    auto it = sourcesByPath.find(kernel.sourcePath);
    if (it == sourcesByPath.end())
      return LOOM_ERROR(StatusCode::kNotFound,
                        fmt::format("package has no source '{}' for kernel '{}'", kernel.sourcePath,
                                    kernel.name));
    package.sources[kernel.name] = it->second;
  }
  return package;
}

StatusOr<Package> loadPackageDir(const std::string &dir) {
  auto manifest = readFile(dir + "/manifest.json");
  if (!manifest)
    return manifest.status().withContext(fmt::format("reading package {}", dir));
  LOOM_ASSIGN_OR_RETURN(Manifest parsed, parseManifest(*manifest));
  std::map<std::string, std::string> sources;
  for (const KernelSpec &kernel : parsed.kernels) {
    if (kernel.sourcePath.find("..") != std::string::npos || kernel.sourcePath.starts_with("/"))
      return LOOM_ERROR(StatusCode::kInvalidArgument,
                        fmt::format("kernel '{}' source path '{}' leaves the package folder",
                                    kernel.name, kernel.sourcePath));
    auto source = readFile(dir + "/" + kernel.sourcePath);
    if (!source)
      return source.status().withContext(fmt::format("kernel '{}'", kernel.name));
    sources[kernel.sourcePath] = std::move(*source);
  }
  return makePackage(*manifest, sources);
}

} // namespace loom::rt

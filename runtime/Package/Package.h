// Package: a manifest with its kernel sources, read from a folder or built in memory by compile().
#pragma once

#include "runtime/Package/Manifest.h"

#include <map>
#include <string>

namespace loom::rt {

struct Package {
  Manifest manifest;
  std::map<std::string, std::string> sources; ///< kernel name -> CUDA C++ source
};

/// Reads `dir`/manifest.json and every kernel's source. Errors name the missing file.
StatusOr<Package> loadPackageDir(const std::string &dir);

/// Parses `manifestJson` and takes the sources from `sourcesByPath` (manifest "source" paths).
StatusOr<Package> makePackage(std::string_view manifestJson,
                              const std::map<std::string, std::string> &sourcesByPath);

} // namespace loom::rt

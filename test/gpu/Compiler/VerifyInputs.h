// The verification graphs of test/Compiler/verify-inputs: where they are (the source tree here,
// the carried working tree on the GPU machine) and their text.
#pragma once

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace loom::verify::testing {

/// The folder of verification graphs: $LOOM_VERIFY_INPUTS, else the source tree's, else the
/// first `test/Compiler/verify-inputs` above the working directory (gpu-check.sh runs tests in
/// <repo>/.gpu-*/bin of the carried tree, where the build's absolute paths do not exist).
inline std::optional<std::filesystem::path> verifyInputsDir() {
  namespace fs = std::filesystem;
  const fs::path relative = "test/Compiler/verify-inputs";
  std::vector<fs::path> candidates;
  if (const char *overridden = std::getenv("LOOM_VERIFY_INPUTS"))
    candidates.push_back(overridden);
  candidates.push_back(fs::path(LOOM_SOURCE_DIR) / relative);
  std::error_code error;
  for (fs::path dir = fs::current_path(error); !dir.empty(); dir = dir.parent_path()) {
    candidates.push_back(dir / relative);
    if (dir == dir.parent_path())
      break;
  }
  for (const fs::path &candidate : candidates)
    if (fs::is_directory(candidate, error))
      return candidate;
  return std::nullopt;
}

/// Every `*.mlir` graph of the folder, sorted by name.
inline std::vector<std::filesystem::path> verifyGraphs(const std::filesystem::path &dir) {
  std::vector<std::filesystem::path> graphs;
  for (const auto &entry : std::filesystem::directory_iterator(dir))
    if (entry.path().extension() == ".mlir")
      graphs.push_back(entry.path());
  std::sort(graphs.begin(), graphs.end());
  return graphs;
}

/// The file's text; empty when it cannot be read.
inline std::string readText(const std::filesystem::path &path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

} // namespace loom::verify::testing

// Report: the results of one loom-bench run as a text table and as JSON.
#pragma once

#include "tools/loom-bench/BenchSession.h"

#include <cstdio>
#include <string>

namespace loom::bench {

/// One line per result: time, TFLOP/s, TB/s, % of the copy bandwidth, baseline and speedup.
void printTable(std::FILE *out, const BenchSession &session);

/// Writes {"device", "arch", "copy_tbps", "cublas", "results": [...]} to `path`.
Status writeJson(const std::string &path, const BenchSession &session);

} // namespace loom::bench

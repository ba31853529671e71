// Histogram: bucketing and the Prometheus text lines.
#include "tools/loom-run/serve/Histogram.h"

#include <fmt/format.h>

#include <algorithm>

namespace loom::serve {

Histogram::Histogram(std::vector<double> upperBounds)
    : upperBounds_(std::move(upperBounds)), counts_(upperBounds_.size() + 1, 0) {}

void Histogram::observe(double value) {
  auto bucket = std::lower_bound(upperBounds_.begin(), upperBounds_.end(), value);
  ++counts_[bucket - upperBounds_.begin()];
  ++count_;
  sum_ += value;
}

std::string Histogram::render(std::string_view name) const {
  std::string text;
  uint64_t cumulative = 0;
  for (size_t i = 0; i < upperBounds_.size(); ++i) {
    cumulative += counts_[i];
    text += fmt::format("{}_bucket{{le=\"{}\"}} {}\n", name, upperBounds_[i], cumulative);
  }
  text += fmt::format("{}_bucket{{le=\"+Inf\"}} {}\n", name, count_);
  text += fmt::format("{}_sum {}\n{}_count {}\n", name, sum_, name, count_);
  return text;
}

} // namespace loom::serve

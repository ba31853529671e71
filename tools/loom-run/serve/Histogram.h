// Histogram: cumulative bucket counts, sum and count of observed values (Prometheus' shape).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace loom::serve {

class Histogram {
public:
  /// `upperBounds` ascending; a last +Inf bucket is implied.
  explicit Histogram(std::vector<double> upperBounds);

  void observe(double value);
  uint64_t count() const { return count_; }
  double sum() const { return sum_; }

  /// The `name_bucket{le=...}`, `name_sum` and `name_count` lines.
  std::string render(std::string_view name) const;

private:
  std::vector<double> upperBounds_;
  std::vector<uint64_t> counts_; ///< per bucket, not cumulative; last: above every bound
  uint64_t count_ = 0;
  double sum_ = 0;
};

} // namespace loom::serve

// RooflineSvg: one circle per kernel at its intensity and FLOP/s, points on the roofs drawn on
// the roof polyline, unplottable kernels listed, names escaped (CPU; reads the SVG as text).
#include "tools/loomc/RooflineSvg.h"

#include <gtest/gtest.h>

#include <map>
#include <regex>

namespace loom::loomc {
namespace {

struct Circle {
  double intensity, flopsPerSecond, cx, cy;
};

std::map<std::string, Circle> circles(const std::string &svg) {
  static const std::regex kCircle(
      R"re(<circle class="kernel" data-kernel="([^"]*)" data-intensity="([^"]*)" data-flops-per-second="([^"]*)" cx="([^"]*)" cy="([^"]*)")re");
  std::map<std::string, Circle> found;
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), kCircle); it != std::sregex_iterator();
       ++it)
    found[(*it)[1]] = {std::stod((*it)[2]), std::stod((*it)[3]), std::stod((*it)[4]),
                       std::stod((*it)[5])};
  return found;
}

/// The roof polyline's three points.
std::vector<std::pair<double, double>> roofPoints(const std::string &svg) {
  std::smatch match;
  std::regex roof(R"re(class="roof"[^>]*points="([-0-9.]+),([-0-9.]+) ([-0-9.]+),([-0-9.]+) ([-0-9.]+),([-0-9.]+)")re");
  EXPECT_TRUE(std::regex_search(svg, match, roof));
  if (match.empty())
    return {};
  return {{std::stod(match[1]), std::stod(match[2])},
          {std::stod(match[3]), std::stod(match[4])},
          {std::stod(match[5]), std::stod(match[6])}};
}

constexpr double kBandwidth = 3.35e12, kPeak = 989e12;

RooflineChart chart() {
  RooflineChart chart{"test model on sm_90a", "predicted", kBandwidth, kPeak, {}};
  // Memory-bound at the roof: 1 MB, 2 MFLOP in 1e6 / 3.35e12 s.
  chart.kernels.push_back({"rms_norm_0", 1e6, 2e6, 1e6 / kBandwidth});
  // Compute-bound at the roof: 1 MB, 1 TFLOP in 1e12 / 989e12 s.
  chart.kernels.push_back({"gemm_1", 1e6, 1e12, 1e12 / kPeak});
  // Below the roofs at half the memory roof.
  chart.kernels.push_back({"gemv_2", 4e6, 8e6, 2 * 4e6 / kBandwidth});
  chart.kernels.push_back({"paged_attention_3", 0, 0, 0});
  chart.kernels.push_back({"embedding_4", 1e5, 0, 1e-6});
  return chart;
}

TEST(RooflineSvg, OneCirclePerPlottableKernelWithItsNumbers) {
  std::string svg = rooflineSvg(chart());
  std::map<std::string, Circle> found = circles(svg);
  ASSERT_EQ(found.size(), 3u);
  EXPECT_NEAR(found.at("rms_norm_0").intensity, 2.0, 1e-5);
  EXPECT_NEAR(found.at("rms_norm_0").flopsPerSecond / (2 * kBandwidth), 1.0, 1e-5);
  EXPECT_NEAR(found.at("gemm_1").intensity, 1e6, 1);
  EXPECT_NEAR(found.at("gemm_1").flopsPerSecond / kPeak, 1.0, 1e-5);
  EXPECT_NEAR(found.at("gemv_2").flopsPerSecond / kBandwidth, 1.0, 1e-5);
  EXPECT_NE(svg.find("3 kernels plotted at predicted time, 2 not plotted"), std::string::npos);
  EXPECT_NE(svg.find("not plotted (no FLOPs or bytes modelled): paged_attention_3, embedding_4"),
            std::string::npos);
  for (const char *label : {">rms_norm_0<", ">gemm_1<", ">gemv_2<"})
    EXPECT_NE(svg.find(label), std::string::npos) << label;
}

TEST(RooflineSvg, KernelsAtTheRoofSitOnTheRoofLine) {
  std::string svg = rooflineSvg(chart());
  auto roof = roofPoints(svg);
  ASSERT_EQ(roof.size(), 3u);
  std::map<std::string, Circle> found = circles(svg);
  // The memory roof is the straight segment from roof[0] to the ridge roof[1] (log-log).
  const Circle &norm = found.at("rms_norm_0");
  double t = (norm.cx - roof[0].first) / (roof[1].first - roof[0].first);
  EXPECT_NEAR(norm.cy, roof[0].second + t * (roof[1].second - roof[0].second), 0.05);
  EXPECT_NEAR(found.at("gemm_1").cy, roof[1].second, 0.05);
  EXPECT_GT(found.at("gemm_1").cx, roof[1].first); // right of the ridge
  // Half the memory roof: log10(2) of a decade below it, so lower on the page (larger y).
  const Circle &gemv = found.at("gemv_2");
  double u = (gemv.cx - roof[0].first) / (roof[1].first - roof[0].first);
  EXPECT_GT(gemv.cy, roof[0].second + u * (roof[1].second - roof[0].second) + 1.0);
  // The ridge is at compute / memory FLOP per byte.
  EXPECT_NE(svg.find("ridge 295 FLOP/B"), std::string::npos);
}

TEST(RooflineSvg, NamesAreEscaped) {
  RooflineChart c{"a <b> & c", "measured", kBandwidth, kPeak, {{"k<1>", 1e6, 1e6, 1e-6}}};
  std::string svg = rooflineSvg(c);
  EXPECT_EQ(svg.find("k<1>"), std::string::npos);
  EXPECT_NE(svg.find("data-kernel=\"k&lt;1&gt;\""), std::string::npos);
  EXPECT_NE(svg.find("a &lt;b&gt; &amp; c"), std::string::npos);
  EXPECT_NE(svg.find("at measured time"), std::string::npos);
}

TEST(RooflineSvg, KernelsAtOneSpotShareALabel) {
  RooflineChart c{"layers", "predicted", kBandwidth, kPeak, {}};
  for (int layer = 0; layer < 4; ++layer)
    c.kernels.push_back({"linear_" + std::to_string(layer), 1e6, 2e6, 1e-6});
  std::string svg = rooflineSvg(c);
  EXPECT_EQ(circles(svg).size(), 4u);
  EXPECT_NE(svg.find(">linear_0 ×4</text>"), std::string::npos);
  size_t labels = 0;
  for (size_t at = svg.find("<text class=\"label\""); at != std::string::npos;
       at = svg.find("<text class=\"label\"", at + 1))
    ++labels;
  EXPECT_EQ(labels, 1u);
}

} // namespace
} // namespace loom::loomc

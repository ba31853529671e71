// RooflineSvg: log-log axes, the two roofs, one circle per kernel, written with fmt.
#include "tools/loomc/RooflineSvg.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <utility>

namespace loom::loomc {

namespace {

constexpr double kWidth = 960, kHeight = 640;
constexpr double kLeft = 90, kRight = 40, kTop = 70, kBottom = 70;

/// Text safe inside an SVG element or attribute.
std::string escape(const std::string &text) {
  std::string out;
  for (char c : text) {
    switch (c) {
    case '&': out += "&amp;"; break;
    case '<': out += "&lt;"; break;
    case '>': out += "&gt;"; break;
    case '"': out += "&quot;"; break;
    default: out += c;
    }
  }
  return out;
}

/// 1e12 → "1T", 3e-1 → "0.3".
std::string siLabel(double value) {
  static const std::pair<double, const char *> kPrefixes[] = {
      {1e15, "P"}, {1e12, "T"}, {1e9, "G"}, {1e6, "M"}, {1e3, "k"}};
  for (auto [scale, prefix] : kPrefixes)
    if (value >= scale)
      return fmt::format("{:g}{}", value / scale, prefix);
  return fmt::format("{:g}", value);
}

/// A logarithmic axis over whole decades [10^low, 10^high] mapped onto [from, to] pixels.
struct LogAxis {
  int low = 0, high = 1;
  double from = 0, to = 1;

  double at(double value) const {
    return from + (std::log10(value) - low) / (high - low) * (to - from);
  }
};

LogAxis decades(double smallest, double largest, double from, double to) {
  LogAxis axis{static_cast<int>(std::floor(std::log10(smallest))),
               static_cast<int>(std::ceil(std::log10(largest))), from, to};
  if (axis.high <= axis.low)
    axis.high = axis.low + 1;
  return axis;
}

std::string gridAndTicks(const LogAxis &x, const LogAxis &y) {
  std::string svg;
  for (int d = x.low; d <= x.high; ++d) {
    double px = x.at(std::pow(10.0, d));
    svg += fmt::format(R"(<line class="grid" x1="{0:.1f}" y1="{1:.1f}" x2="{0:.1f}" y2="{2:.1f}"/>)"
                       "\n<text class=\"tick\" x=\"{0:.1f}\" y=\"{3:.1f}\" text-anchor=\"middle\">{4}</text>\n",
                       px, y.from, y.to, y.from + 18, siLabel(std::pow(10.0, d)));
  }
  for (int d = y.low; d <= y.high; ++d) {
    double py = y.at(std::pow(10.0, d));
    svg += fmt::format(R"(<line class="grid" x1="{0:.1f}" y1="{1:.1f}" x2="{2:.1f}" y2="{1:.1f}"/>)"
                       "\n<text class=\"tick\" x=\"{3:.1f}\" y=\"{4:.1f}\" text-anchor=\"end\">{5}</text>\n",
                       x.from, py, x.to, x.from - 6, py + 4, siLabel(std::pow(10.0, d)));
  }
  return svg;
}

/// The roofs min(bandwidth · x, peak) from the left edge to the right one, as one polyline
/// clipped at the bottom of the chart.
std::string roofs(const RooflineChart &chart, const LogAxis &x, const LogAxis &y) {
  double ridge = chart.computeFlopsPerSecond / chart.memoryBytesPerSecond;
  double bottom = std::pow(10.0, y.low);
  double left = std::max(std::pow(10.0, x.low), bottom / chart.memoryBytesPerSecond);
  double right = std::pow(10.0, x.high);
  std::string svg = fmt::format(
      R"(<polyline class="roof" fill="none" stroke="#c0392b" stroke-width="2" points="{:.1f},{:.1f} {:.1f},{:.1f} {:.1f},{:.1f}"/>)"
      "\n",
      x.at(left), y.at(left * chart.memoryBytesPerSecond), x.at(ridge),
      y.at(chart.computeFlopsPerSecond), x.at(right), y.at(chart.computeFlopsPerSecond));
  svg += fmt::format(R"(<text class="roof-label" x="{:.1f}" y="{:.1f}">memory roof {}B/s</text>)"
                     "\n",
                     x.at(left) + 8, y.at(left * chart.memoryBytesPerSecond) - 8,
                     siLabel(chart.memoryBytesPerSecond));
  svg += fmt::format(R"(<text class="roof-label" x="{:.1f}" y="{:.1f}">compute roof {}FLOP/s (ridge {:.3g} FLOP/B)</text>)"
                     "\n",
                     x.at(ridge) + 8, y.at(chart.computeFlopsPerSecond) - 8,
                     siLabel(chart.computeFlopsPerSecond), ridge);
  return svg;
}

} // namespace

std::string rooflineSvg(const RooflineChart &chart) {
  std::vector<const RooflineKernel *> plotted;
  std::vector<std::string> unplotted;
  for (const RooflineKernel &kernel : chart.kernels) {
    if (kernel.plottable())
      plotted.push_back(&kernel);
    else
      unplotted.push_back(kernel.name);
  }
  double ridge = chart.computeFlopsPerSecond / chart.memoryBytesPerSecond;
  double xMin = ridge, xMax = ridge, yMin = chart.computeFlopsPerSecond;
  for (const RooflineKernel *kernel : plotted) {
    xMin = std::min(xMin, kernel->intensity());
    xMax = std::max(xMax, kernel->intensity());
    yMin = std::min(yMin, kernel->flopsPerSecond());
  }
  LogAxis x = decades(xMin, xMax * 1.01, kLeft, kWidth - kRight);
  LogAxis y = decades(yMin, chart.computeFlopsPerSecond * 1.5, kHeight - kBottom, kTop);

  std::string svg = fmt::format(
      R"(<svg xmlns="http://www.w3.org/2000/svg" width="{0}" height="{1}" viewBox="0 0 {0} {1}" font-family="sans-serif" font-size="12">)"
      "\n<style>.grid{{stroke:#ddd}} .tick{{fill:#555}} .kernel{{fill:#2471a3;fill-opacity:0.75}} "
      ".label{{fill:#1b4f72;font-size:10px}} .roof-label{{fill:#c0392b}}</style>\n"
      R"(<rect width="{0}" height="{1}" fill="white"/>)"
      "\n",
      kWidth, kHeight);
  svg += fmt::format(R"(<text class="title" x="{:.1f}" y="24" font-size="16">{}</text>)" "\n",
                     kLeft, escape(chart.title));
  svg += fmt::format(R"(<text class="subtitle" x="{:.1f}" y="44">{} kernels plotted at {} time, {} not plotted</text>)"
                     "\n",
                     kLeft, plotted.size(), escape(chart.timeSource), unplotted.size());
  svg += gridAndTicks(x, y);
  svg += fmt::format(R"(<text class="axis" x="{:.1f}" y="{:.1f}" text-anchor="middle">arithmetic intensity (FLOP/byte)</text>)"
                     "\n",
                     (x.from + x.to) / 2, kHeight - kBottom + 40);
  svg += fmt::format(R"svg(<text class="axis" transform="translate(24 {:.1f}) rotate(-90)" text-anchor="middle">FLOP/s</text>)svg"
                     "\n",
                     (y.from + y.to) / 2);
  svg += roofs(chart, x, y);

  // One circle per kernel; one label per distinct spot.
  std::map<std::pair<long, long>, std::pair<std::string, int>> labels;
  for (const RooflineKernel *kernel : plotted) {
    double px = x.at(kernel->intensity()), py = y.at(kernel->flopsPerSecond());
    svg += fmt::format(
        R"(<circle class="kernel" data-kernel="{}" data-intensity="{:.6g}" data-flops-per-second="{:.6g}" cx="{:.2f}" cy="{:.2f}" r="4"><title>{}: {:.3g} FLOP/B, {}FLOP/s, {:.3g} us</title></circle>)"
        "\n",
        escape(kernel->name), kernel->intensity(), kernel->flopsPerSecond(), px, py,
        escape(kernel->name), kernel->intensity(), siLabel(kernel->flopsPerSecond()),
        kernel->seconds * 1e6);
    auto &label = labels[{std::lround(px), std::lround(py)}];
    if (label.second++ == 0)
      label.first = kernel->name;
  }
  for (const auto &[spot, label] : labels)
    svg += fmt::format(R"(<text class="label" x="{}" y="{}">{}{}</text>)" "\n", spot.first + 7,
                       spot.second - 5, escape(label.first),
                       label.second > 1 ? fmt::format(" ×{}", label.second) : "");
  double noteY = kHeight - 18;
  if (!unplotted.empty())
    svg += fmt::format(R"(<text class="unplotted" x="{:.1f}" y="{:.1f}">not plotted (no FLOPs or bytes modelled): {}</text>)"
                       "\n",
                       kLeft, noteY, escape(fmt::format("{}", fmt::join(unplotted, ", "))));
  svg += "</svg>\n";
  return svg;
}

} // namespace loom::loomc

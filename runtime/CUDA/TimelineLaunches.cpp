// TimelineLaunches: grouping by module and grid size.
#include "runtime/CUDA/TimelineLaunches.h"

#include <algorithm>
#include <map>
#include <set>

namespace loom::rt {

namespace {

TimelineLaunch summarize(std::vector<TimelineRecord> ctas) {
  TimelineLaunch launch;
  launch.kernel = ctas.front().kernel;
  launch.grid = ctas.front().grid;
  launch.firstEntry = ctas.front().entry;
  std::set<uint32_t> blocks;
  bool ordered = true;
  for (const TimelineRecord &cta : ctas) {
    launch.lastExit = std::max(launch.lastExit, cta.exit);
    blocks.insert(cta.block);
    ordered &= cta.entry <= cta.exit &&
               (cta.afterWait == 0 || (cta.entry <= cta.afterWait && cta.afterWait <= cta.exit));
    ordered &= cta.grid == launch.grid && cta.block < launch.grid;
    if (cta.afterWait == 0)
      continue;
    launch.firstWait =
        launch.firstWait == 0 ? cta.afterWait : std::min(launch.firstWait, cta.afterWait);
    launch.lastWait = std::max(launch.lastWait, cta.afterWait);
  }
  launch.complete = ordered && blocks.size() == launch.grid && ctas.size() == launch.grid;
  launch.ctas = std::move(ctas);
  return launch;
}

} // namespace

std::vector<TimelineLaunch> groupTimelineLaunches(std::vector<TimelineRecord> records) {
  std::map<uint32_t, std::vector<TimelineRecord>> byKernel;
  for (const TimelineRecord &record : records)
    byKernel[record.kernel].push_back(record);
  std::vector<TimelineLaunch> launches;
  for (auto &[kernel, ctas] : byKernel) {
    std::stable_sort(
        ctas.begin(), ctas.end(),
        [](const TimelineRecord &a, const TimelineRecord &b) { return a.entry < b.entry; });
    for (size_t begin = 0; begin < ctas.size();) {
      size_t end = std::min(ctas.size(), begin + std::max<uint32_t>(ctas[begin].grid, 1));
      launches.push_back(summarize({ctas.begin() + begin, ctas.begin() + end}));
      begin = end;
    }
  }
  std::stable_sort(
      launches.begin(), launches.end(),
      [](const TimelineLaunch &a, const TimelineLaunch &b) { return a.firstEntry < b.firstEntry; });
  return launches;
}

} // namespace loom::rt

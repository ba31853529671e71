// TimelineReport: matching, per-launch and per-kind tables, Chrome trace.
#include "tools/loom-run/TimelineReport.h"

#include <algorithm>
#include <array>
#include <map>
#include <set>

#include <fmt/format.h>

namespace loom::tools {

namespace {

/// Name fragments, first match wins; "residual" resolves to o_proj or down by position.
constexpr std::array<std::pair<const char *, const char *>, 7> kKindByName{{
    {"attention", "attention"},
    {"silu", "gate_up"},
    {"cast", "lm_head"},
    {"rope", "qkv"},
    {"kv_append", "qkv"},
    {"rms_norm_linear", "qkv"},
    {"linear_add", "residual"},
}};

constexpr std::array<const char *, 7> kKinds{"qkv",  "attention", "o_proj", "gate_up",
                                             "down", "lm_head",   "other"};

double micros(uint64_t ns, uint64_t origin) {
  return ns ? (static_cast<double>(ns) - static_cast<double>(origin)) / 1e3 : 0;
}

} // namespace

std::string timelineKind(const std::string &kernel, const std::string &previous) {
  for (const auto &[fragment, kind] : kKindByName) {
    if (kernel.find(fragment) == std::string::npos)
      continue;
    if (std::string_view(kind) == "residual")
      return previous == "attention" ? "o_proj" : "down";
    return kind;
  }
  return "other";
}

TimelineReport buildTimelineReport(std::vector<rt::TimelineLaunch> launches,
                                   const std::vector<TimelineProgramLaunch> &program,
                                   uint64_t dropped) {
  TimelineReport report;
  report.programLaunches = program.size();
  report.dropped = dropped;
  report.matchesProgram = launches.size() == program.size() && dropped == 0;
  if (launches.empty())
    return report;
  report.origin = launches.front().firstEntry;
  size_t next = 0; // the first program launch not matched yet
  uint64_t latestEnd = 0;
  std::string previousKind;
  for (rt::TimelineLaunch &launch : launches) {
    TimelineRow row;
    size_t at = next;
    while (at < program.size() && program[at].kernel != launch.kernel)
      ++at;
    report.matchesProgram &= at == next && launch.complete;
    if (at < program.size()) {
      row.kernel = program[at].name;
      row.bytes = program[at].bytes;
      next = at + 1;
    } else {
      row.kernel = fmt::format("kernel id {}", launch.kernel);
    }
    report.incomplete += launch.complete ? 0 : 1;
    row.kind = timelineKind(row.kernel, previousKind);
    previousKind = row.kind;
    std::set<uint32_t> sms;
    for (const rt::TimelineRecord &cta : launch.ctas)
      sms.insert(cta.sm);
    row.sms = static_cast<int>(sms.size());
    row.start = micros(launch.firstEntry, report.origin);
    row.firstWait = micros(launch.firstWait, report.origin);
    row.lastWait = micros(launch.lastWait, report.origin);
    row.end = micros(launch.lastExit, report.origin);
    double latest = micros(latestEnd, report.origin);
    report.streamOrdered &= !latestEnd || launch.firstWait >= latestEnd ||
                            (!launch.firstWait && launch.firstEntry >= latestEnd);
    row.gap = latestEnd ? row.start - latest : 0;
    row.exclusive = std::max(0.0, row.end - std::max(row.start, latestEnd ? latest : row.start));
    latestEnd = std::max(latestEnd, launch.lastExit);
    row.launch = std::move(launch);
    report.rows.push_back(std::move(row));
  }
  report.span = micros(latestEnd, report.origin);
  return report;
}

std::string timelineTable(const TimelineReport &report, double copyBytesPerSecond) {
  auto percentOfCopy = [&](uint64_t bytes, double us) -> std::string {
    if (!bytes || us <= 0 || copyBytesPerSecond <= 0)
      return "-";
    return fmt::format("{:.1f}",
                       100.0 * static_cast<double>(bytes) / (us * 1e-6) / copyBytesPerSecond);
  };
  std::string out = fmt::format(
      "\nGPU timeline of one decode step ({} launches recorded, program has {}; {}, {}; {} "
      "incomplete, {} "
      "CTAs dropped). Times in us after the first CTA's entry; gap = start - previous end (< 0: "
      "overlapped); excl = end - max(start, previous end); %copy = MB / excl against the copy "
      "bandwidth.\n",
      report.rows.size(), report.programLaunches,
      report.matchesProgram ? "every launch complete and in program order"
                            : "NOT matching the program",
      report.streamOrdered ? "in stream order" : "NOT in stream order", report.incomplete,
      report.dropped);
  out += fmt::format(
      "{:>4} {:<48} {:<9} {:>5} {:>4} {:>8} {:>8} {:>8} {:>8} {:>7} {:>7} {:>7} {:>8} {:>6}\n", "#",
      "kernel", "kind", "CTAs", "SMs", "start", "wait0", "waitN", "end", "dur", "gap", "excl", "MB",
      "%copy");
  std::map<std::string, std::array<double, 5>> kinds; // launches, dur, excl, gaps > 0, bytes
  for (size_t i = 0; i < report.rows.size(); ++i) {
    const TimelineRow &row = report.rows[i];
    double duration = row.end - row.start;
    out += fmt::format("{:>4} {:<48} {:<9} {:>5} {:>4} {:>8.1f} {:>8.1f} {:>8.1f} {:>8.1f} "
                       "{:>7.1f} {:>7.1f} {:>7.1f} "
                       "{:>8.2f} {:>6}\n",
                       i, row.kernel.substr(0, 48), row.kind, row.launch.ctas.size(), row.sms,
                       row.start, row.firstWait, row.lastWait, row.end, duration, row.gap,
                       row.exclusive, static_cast<double>(row.bytes) / 1e6,
                       percentOfCopy(row.bytes, row.exclusive));
    auto &total = kinds[row.kind];
    total[0] += 1;
    total[1] += duration;
    total[2] += row.exclusive;
    total[3] += std::max(0.0, row.gap);
    total[4] += static_cast<double>(row.bytes);
  }
  out += fmt::format(
      "\nPer kind (span {:.1f} us = sum of excl + idle gaps):\n{:<10} {:>8} {:>10} {:>10} {:>10} "
      "{:>9} {:>12}\n",
      report.span, "kind", "launches", "sum dur", "sum excl", "idle gaps", "MB", "%copy(excl)");
  std::array<double, 5> all{};
  for (const char *kind : kKinds) {
    auto it = kinds.find(kind);
    if (it == kinds.end())
      continue;
    const auto &t = it->second;
    for (size_t k = 0; k < all.size(); ++k)
      all[k] += t[k];
    out +=
        fmt::format("{:<10} {:>8.0f} {:>10.1f} {:>10.1f} {:>10.1f} {:>9.2f} {:>12}\n", kind, t[0],
                    t[1], t[2], t[3], t[4] / 1e6, percentOfCopy(static_cast<uint64_t>(t[4]), t[2]));
  }
  out += fmt::format("{:<10} {:>8.0f} {:>10.1f} {:>10.1f} {:>10.1f} {:>9.2f} {:>12}\n", "total",
                     all[0], all[1], all[2], all[3], all[4] / 1e6,
                     percentOfCopy(static_cast<uint64_t>(all[4]), all[2]));
  return out;
}

nlohmann::json timelineTrace(const TimelineReport &report) {
  nlohmann::json events = nlohmann::json::array();
  nlohmann::json launches = nlohmann::json::array();
  events.push_back(
      {{"ph", "M"}, {"pid", 0}, {"name", "process_name"}, {"args", {{"name", "launches"}}}});
  events.push_back(
      {{"ph", "M"}, {"pid", 1}, {"name", "process_name"}, {"args", {{"name", "SMs (CTAs)"}}}});
  for (size_t i = 0; i < report.rows.size(); ++i) {
    const TimelineRow &row = report.rows[i];
    events.push_back({{"ph", "X"},
                      {"pid", 0},
                      {"tid", 0},
                      {"name", row.kernel},
                      {"cat", row.kind},
                      {"ts", row.start},
                      {"dur", row.end - row.start},
                      {"args",
                       {{"launch", i},
                        {"ctas", row.launch.ctas.size()},
                        {"first_wait_us", row.firstWait},
                        {"last_wait_us", row.lastWait},
                        {"gap_us", row.gap}}}});
    for (const rt::TimelineRecord &cta : row.launch.ctas)
      events.push_back(
          {{"ph", "X"},
           {"pid", 1},
           {"tid", cta.sm},
           {"name", row.kernel},
           {"cat", row.kind},
           {"ts", micros(cta.entry, report.origin)},
           {"dur", (static_cast<double>(cta.exit) - static_cast<double>(cta.entry)) / 1e3},
           {"args",
            {{"launch", i},
             {"block", cta.block},
             {"wait_us", micros(cta.afterWait, report.origin)}}}});
    nlohmann::json ctas = nlohmann::json::array();
    for (const rt::TimelineRecord &cta : row.launch.ctas)
      ctas.push_back({cta.block, cta.sm, micros(cta.entry, report.origin),
                      micros(cta.afterWait, report.origin), micros(cta.exit, report.origin)});
    launches.push_back({{"kernel", row.kernel},
                        {"kind", row.kind},
                        {"grid", row.launch.grid},
                        {"complete", row.launch.complete},
                        {"start", row.start},
                        {"first_wait", row.firstWait},
                        {"last_wait", row.lastWait},
                        {"end", row.end},
                        {"gap", row.gap},
                        {"exclusive", row.exclusive},
                        {"bytes", row.bytes},
                        {"sms", row.sms},
                        {"ctas", std::move(ctas)}});
  }
  return {{"traceEvents", std::move(events)},
          {"displayTimeUnit", "ns"},
          {"launches", std::move(launches)},
          {"span_us", report.span},
          {"program_launches", report.programLaunches},
          {"matches_program", report.matchesProgram},
          {"stream_ordered", report.streamOrdered},
          {"dropped", report.dropped}};
}

} // namespace loom::tools

// loom-run bench: a synthetic workload (N requests of I prompt and O output tokens, C in flight,
// an optional shared prefix) and its throughput, latency percentiles, KV use and prefix hits;
// on the gpu backend also the decode roofline and, with --profile, per-kernel step times.
#include "tools/loom-run/Commands.h"

#include "runtime/Engine/Engine.h"
#include "runtime/Support/Files.h"
#include "tools/loom-run/BenchReport.h"
#include "tools/loom-run/DecodeRoofline.h"
#include "tools/loom-run/DeviceTiming.h"
#include "tools/loom-run/HostGap.h"
#include "tools/loom-run/TimelineCapture.h"
#include "tools/loom-run/ProfileReport.h"
#include "tools/loom-run/RequestOptions.h"
#include "tools/loom-run/TraceSession.h"

#include <fmt/format.h>

#include <random>

namespace loom::tools {
namespace {

constexpr std::string_view kCommand = "bench";

struct BenchOptions {
  ServingOptions serving;
  bool ignoreEos = true;
  bool profile = false;
  bool hostTiming = false;
  std::string timelinePath; ///< --timeline FILE (TimelineCapture.h)
  int numRequests = 0, inputLen = 0, outputLen = 0, concurrency = 0, sharedPrefix = 0;
  std::string jsonPath;
};

std::string usage(const std::vector<OptionSpec> &specs) {
  return "usage: loom-run bench --model DIR|CONFIG.json [--random-weights] --num-requests N "
         "--input-len I --output-len O --concurrency C [--shared-prefix L] [--json FILE|-] "
         "[--profile] [--host-timing] [--timeline FILE] [options]\n" +
         optionsUsage(specs);
}

/// Prompts of `inputLen` ids: the first `sharedPrefix` the same for all, the rest random;
/// ids avoid the first few (BOS/EOS/padding in most vocabularies).
std::vector<std::vector<rt::TokenId>> syntheticPrompts(const BenchOptions &o, int vocab,
                                                       uint64_t seed) {
  std::mt19937_64 rng(seed);
  int low = std::min(3, vocab - 1);
  std::uniform_int_distribution<rt::TokenId> token(low, vocab - 1);
  std::vector<rt::TokenId> prefix(o.sharedPrefix);
  for (rt::TokenId &t : prefix)
    t = token(rng);
  std::vector<std::vector<rt::TokenId>> prompts(o.numRequests, prefix);
  for (auto &prompt : prompts)
    while (static_cast<int>(prompt.size()) < o.inputLen)
      prompt.push_back(token(rng));
  return prompts;
}

std::optional<std::string> checkOptions(const BenchOptions &o) {
  if (o.serving.model.path.empty())
    return "missing --model DIR|CONFIG.json";
  if (o.numRequests < 1 || o.inputLen < 1 || o.outputLen < 1 || o.concurrency < 1)
    return "--num-requests, --input-len, --output-len and --concurrency are required";
  if (o.sharedPrefix > o.inputLen)
    return fmt::format("--shared-prefix {} is longer than --input-len {}", o.sharedPrefix,
                       o.inputLen);
  if (o.profile && o.serving.model.backend != "gpu")
    return "--profile times GPU kernels: add --backend gpu";
  if (o.hostTiming && o.serving.model.backend != "gpu")
    return "--host-timing times the GPU runner's steps: add --backend gpu";
  if (o.serving.model.path.ends_with(".json") && !o.serving.model.randomWeights)
    return fmt::format("{} is a config without weights: add --random-weights",
                       o.serving.model.path);
  return std::nullopt;
}

/// --host-timing: one StepSample per engine step, the runner timed by a StepTimer.
class StepRecorder {
public:
  static StatusOr<std::unique_ptr<StepRecorder>> create(const GpuModelParts &gpu) {
    LOOM_ASSIGN_OR_RETURN(auto timer, rt::StepTimer::create(*gpu.context));
    gpu.runner->setStepTimer(timer.get());
    return std::unique_ptr<StepRecorder>(new StepRecorder(*gpu.runner, std::move(timer)));
  }
  ~StepRecorder() { runner_.setStepTimer(nullptr); }

  /// Before a step: closes the previous sample's wall time.
  void beforeStep(const rt::Engine &engine) {
    double now = rt::steadyClockSeconds();
    if (!samples_.empty())
      samples_.back().wallMicros = 1e6 * (now - stepStart_);
    stepStart_ = now;
    generatedBefore_ = engine.stats().generatedTokens;
    graphStepsBefore_ = runner_.stats().graphSteps;
  }
  void afterStep(const rt::Engine &engine) {
    StepSample sample;
    sample.sampled = static_cast<int>(engine.stats().generatedTokens - generatedBefore_);
    sample.decodeGraph = runner_.stats().graphSteps > graphStepsBefore_;
    sample.engine = engine.lastStepTiming();
    if (runner_.lastStepTiming())
      sample.runner = *runner_.lastStepTiming();
    samples_.push_back(sample);
  }
  /// The samples whose wall time is known (all but the last).
  std::vector<StepSample> samples() const {
    return {samples_.begin(), samples_.end() - (samples_.empty() ? 0 : 1)};
  }

private:
  StepRecorder(rt::PackageModelRunner &runner, std::unique_ptr<rt::StepTimer> timer)
      : runner_(runner), timer_(std::move(timer)) {}
  rt::PackageModelRunner &runner_;
  std::unique_ptr<rt::StepTimer> timer_;
  std::vector<StepSample> samples_;
  double stepStart_ = 0;
  int64_t generatedBefore_ = 0, graphStepsBefore_ = 0;
};

/// The gpu backend's additions: the decode roofline of the run and, with --profile, one
/// prefill and one decode step of the workload's batch timed kernel by kernel.
Status gpuExtras(const BenchOptions &o, const GpuModelParts &gpu, const rt::EngineConfig &engine,
                 const std::vector<std::vector<rt::TokenId>> &prompts,
                 const rt::SamplingParams &params, const BenchReport &report,
                 double copyBytesPerSecond, std::string &table, nlohmann::json &json) {
  int batch = std::min(o.concurrency, o.numRequests);
  LOOM_ASSIGN_OR_RETURN(DecodeRoofline roofline,
                        decodeRoofline(*gpu.traffic, batch, o.inputLen, o.outputLen,
                                       engine.blockSize, copyBytesPerSecond, report.itl.mean));
  table += roofline.table();
  json["roofline"] = roofline.json();
  if (!o.profile)
    return Status::ok();
  std::vector<std::vector<rt::TokenId>> batchPrompts(prompts.begin(), prompts.begin() + batch);
  LOOM_ASSIGN_OR_RETURN(std::vector<StepProfile> steps,
                        profileSteps(gpu, engine, batchPrompts, params));
  json["profile"] = nlohmann::json::array();
  for (StepProfile &step : steps) {
    LOOM_ASSIGN_OR_RETURN(ProfileSummary summary,
                          summarizeProfile(std::move(step), gpu.executor->manifest(), *gpu.sources,
                                           *gpu.traffic));
    table += "\n" + profileTable(summary, copyBytesPerSecond);
    json["profile"].push_back(profileJson(summary, copyBytesPerSecond));
  }
  return Status::ok();
}

} // namespace

int runBench(Arguments args) {
  BenchOptions o;
  o.serving.sampling.temperature = 0.0f;
  std::vector<OptionSpec> specs = servingOptionSpecs(o.serving, o.ignoreEos);
  specs.push_back(flagOption("random-weights", o.serving.model.randomWeights));
  specs.push_back(intOption("num-requests", o.numRequests, 1, 1 << 24));
  specs.push_back(intOption("input-len", o.inputLen, 1, 1 << 20));
  specs.push_back(intOption("output-len", o.outputLen, 1, 1 << 20));
  specs.push_back(intOption("concurrency", o.concurrency, 1, 1 << 20));
  specs.push_back(intOption("shared-prefix", o.sharedPrefix, 0, 1 << 20));
  specs.push_back(stringOption("json", "FILE", o.jsonPath));
  specs.push_back(flagOption("profile", o.profile));
  specs.push_back(flagOption("host-timing", o.hostTiming));
  specs.push_back(stringOption("timeline", "FILE", o.timelinePath));
  if (std::optional<int> exitCode = parseCommandLine(kCommand, args, specs, usage(specs)))
    return *exitCode;
  if (auto error = checkOptions(o))
    return failCommand(kCommand, *error, usage(specs));

  auto progress = [](const std::string &line) { fmt::print(stderr, "[loom-run] {}\n", line); };
  o.serving.model.instrumentTimeline = !o.timelinePath.empty(); // the kernels record the timeline
  auto model = loadServingModel(o.serving.model, progress);
  if (!model.isOk())
    return failCommand(kCommand, model.status().toString());
  const GpuModelParts *gpu = (*model)->gpuParts();
  double copyBytesPerSecond = 0;
  if (gpu) {
    auto measured = measureCopyBandwidth(*gpu->context, *gpu->stream);
    if (!measured.isOk())
      return failCommand(kCommand, measured.status().toString());
    copyBytesPerSecond = *measured;
  }
  std::unique_ptr<TraceSession> trace = traceSessionFor(**model, o.serving.tracePath);
  auto engine = rt::Engine::create((*model)->engineConfig(), engineRunner(**model, trace.get()));
  if (!engine.isOk())
    return failCommand(kCommand, engine.status().toString());

  rt::SamplingParams params = o.serving.sampling;
  params.maxTokens = o.outputLen;
  params.ignoreEos = true;
  params.seed = o.serving.seed;
  auto prompts = syntheticPrompts(o, static_cast<int>((*model)->config().vocabSize),
                                  o.serving.seed.value_or(0));
  progress(fmt::format("{} requests of {} + {} tokens, {} in flight, shared prefix {}",
                       o.numRequests, o.inputLen, o.outputLen, o.concurrency, o.sharedPrefix));

  std::unique_ptr<StepRecorder> recorder;
  if (o.hostTiming) {
    auto created = StepRecorder::create(*gpu);
    if (!created.isOk())
      return failCommand(kCommand, created.status().toString());
    recorder = std::move(*created);
  }

  std::unique_ptr<TimelineCapture> timeline;
  if (!o.timelinePath.empty()) {
    // The first graph-replayed step once half the run's tokens are made.
    TimelineCaptureOptions at{o.timelinePath, int64_t(o.numRequests) * o.outputLen / 2,
                              std::min(o.concurrency, o.numRequests), o.inputLen, o.outputLen,
                              (*model)->engineConfig().blockSize};
    auto created = TimelineCapture::create(gpu ? *gpu : GpuModelParts{}, std::move(at));
    if (!created.isOk())
      return failCommand(kCommand, created.status().toString());
    timeline = std::move(*created);
  }

  std::vector<std::shared_ptr<const rt::Sequence>> requests;
  size_t inFlight = 0;
  double start = rt::steadyClockSeconds();
  auto admit = [&] {
    while (inFlight < static_cast<size_t>(o.concurrency) && requests.size() < prompts.size()) {
      auto seq = (*engine)->addRequest(prompts[requests.size()], params);
      requests.push_back(seq);
      if (!seq->error().isOk())
        fmt::print(stderr, "loom-run bench: request {}: {}\n", seq->id(), seq->error().toString());
      else
        ++inFlight;
    }
  };
  admit();
  while ((*engine)->hasUnfinished()) {
    if (recorder)
      recorder->beforeStep(**engine);
    if (Status armed = timeline ? timeline->beforeStep(**engine) : Status::ok(); !armed.isOk())
      return failCommand(kCommand, armed.toString());
    auto finished = stepEngine(**engine, trace.get());
    if (!finished.isOk())
      return failCommand(kCommand, finished.status().toString());
    if (Status read = timeline ? timeline->afterStep(**engine) : Status::ok(); !read.isOk())
      return failCommand(kCommand, read.toString());
    if (recorder)
      recorder->afterStep(**engine);
    inFlight -= finished->size();
    admit();
  }
  double seconds = rt::steadyClockSeconds() - start;
  if (Status written = finishTrace(trace.get()); !written.isOk())
    return failCommand(kCommand, written.toString());

  std::vector<rt::RequestMetrics> metrics;
  for (const auto &seq : requests)
    metrics.push_back(seq->metrics());
  BenchReport report = BenchReport::from(metrics, seconds, (*engine)->stats());
  report.workload = {{"model", o.serving.model.path},    {"backend", o.serving.model.backend},
                     {"random_weights", o.serving.model.randomWeights},
                     {"num_requests", o.numRequests},    {"input_len", o.inputLen},
                     {"output_len", o.outputLen},        {"concurrency", o.concurrency},
                     {"shared_prefix", o.sharedPrefix},  {"max_seqs", o.serving.model.limits.maxSeqs},
                     {"batch_invariant", o.serving.model.limits.batchInvariant},
                     {"max_batched_tokens", o.serving.model.limits.maxBatchedTokens}};
  report.backend = (*model)->backendStats();
  std::string table = report.table();
  nlohmann::json json = report.json();
  if (recorder) {
    std::vector<HostGapGroup> groups = summarizeHostGap(recorder->samples());
    table += hostGapTable(groups);
    json["host_timing"] = hostGapJson(groups);
    recorder.reset();
  }
  if (timeline) {
    auto timelineTable = timeline->finish(copyBytesPerSecond);
    if (!timelineTable.isOk())
      return failCommand(kCommand, timelineTable.status().toString());
    table += *timelineTable;
  }
  if (gpu) {
    // The profile's engine reuses the KV pool: the benchmark's engine has finished its work.
    Status extras = gpuExtras(o, *gpu, (*model)->engineConfig(), prompts, params, report,
                              copyBytesPerSecond, table, json);
    if (!extras.isOk())
      return failCommand(kCommand, extras.toString());
  }
  fmt::print("{}", table);
  if (o.jsonPath == "-")
    fmt::print("{}\n", json.dump(2));
  else if (!o.jsonPath.empty())
    if (Status written = writeFileAtomic(o.jsonPath, json.dump(2) + "\n"); !written.isOk())
      return failCommand(kCommand, written.toString());
  return report.failed == 0 ? 0 : 1;
}

} // namespace loom::tools

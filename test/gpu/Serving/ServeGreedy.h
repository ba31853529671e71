// Greedy serving helpers of the whole-model serving tests: serve a queue of requests through an
// engine, time it, and say where two outputs part.
#pragma once

#include "runtime/Engine/Engine.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <vector>

namespace loom::testing {

using Tokens = std::vector<rt::TokenId>;

/// One greedy request.
struct GreedyRequest {
  Tokens prompt;
  int maxTokens = 32;
};

/// Serves `requests` greedily on `runner` with `config` (all queued before the first step);
/// returns each request's output tokens. Engine, step and request errors fail the test.
inline std::vector<Tokens> serveGreedy(const rt::EngineConfig &config, rt::ModelRunner &runner,
                                       const std::vector<GreedyRequest> &requests,
                                       rt::EngineStats *stats = nullptr) {
  auto engine = rt::Engine::create(config, runner);
  EXPECT_TRUE(engine.isOk()) << engine.status().toString();
  if (!engine.isOk())
    return {};
  std::vector<std::shared_ptr<const rt::Sequence>> sequences;
  for (const GreedyRequest &request : requests) {
    rt::SamplingParams params;
    params.temperature = 0.0f;
    params.maxTokens = request.maxTokens;
    sequences.push_back((*engine)->addRequest(request.prompt, params));
  }
  Status done = (*engine)->runUntilDone();
  EXPECT_TRUE(done.isOk()) << done.toString();
  if (stats)
    *stats = (*engine)->stats();
  std::vector<Tokens> outputs;
  for (const auto &sequence : sequences) {
    EXPECT_TRUE(sequence->error().isOk()) << sequence->error().toString();
    outputs.emplace_back(sequence->outputTokens().begin(), sequence->outputTokens().end());
  }
  return outputs;
}

/// Generated tokens per second of serveGreedy (wall time of the whole queue, prefill included).
inline double greedyTokensPerSecond(const rt::EngineConfig &config, rt::ModelRunner &runner,
                                    const std::vector<GreedyRequest> &requests) {
  auto start = std::chrono::steady_clock::now();
  std::vector<Tokens> outputs = serveGreedy(config, runner, requests);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  size_t tokens = 0;
  for (const Tokens &output : outputs)
    tokens += output.size();
  return seconds > 0 ? double(tokens) / seconds : 0.0;
}

/// The index of the first token where `a` and `b` differ (their common length when one is a
/// prefix of the other), or -1 when they are equal.
inline int firstDifference(const Tokens &a, const Tokens &b) {
  if (a == b)
    return -1;
  return int(std::mismatch(a.begin(), a.end(), b.begin(), b.end()).first - a.begin());
}

} // namespace loom::testing

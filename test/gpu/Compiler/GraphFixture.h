// Test fixture part: a parsed verification graph and its random checkpoint weights.
#pragma once

#include "frontend/Verify/GraphModule.h"
#include "frontend/Verify/SharedWeights.h"

#include <gtest/gtest.h>

#include <optional>

namespace loom::verify::testing {

class GraphFixture {
protected:
  /// Parses `text` (named `name` in diagnostics) and draws its weights with `seed`; fails the
  /// test on an error.
  void parseWithWeights(std::string_view text, std::string_view name, uint64_t seed) {
    auto graph = GraphModule::parse(text, name);
    ASSERT_TRUE(graph.isOk()) << graph.status().toString();
    graph_.emplace(std::move(*graph));
    auto weights = SharedWeights::random(graph_->function(), seed);
    ASSERT_TRUE(weights.isOk()) << weights.status().toString();
    weights_.emplace(std::move(*weights));
  }
  std::optional<GraphModule> graph_;
  std::optional<SharedWeights> weights_;
};

} // namespace loom::verify::testing

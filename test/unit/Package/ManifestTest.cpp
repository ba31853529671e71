// Manifest: a valid manifest parses with every field; each broken cross-reference is named.
#include "runtime/Package/Manifest.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace loom::rt {
namespace {

using Json = nlohmann::json;

Json validManifest() {
  return Json::parse(R"json({
    "format": "loom-package", "version": 1, "target": "sm_90a",
    "dims": {"tokens": 64, "seqs": 4},
    "inputs": [{"name": "x", "dtype": "f32", "shape": ["tokens", 8]}],
    "outputs": [{"name": "y", "buffer": "v1", "dtype": "f32", "shape": ["tokens", 8]}],
    "weights": [{"name": "w", "dtype": "bf16", "shape": [8]},
                {"name": "loom.qkv.0", "dtype": "bf16", "shape": [24, 8],
                 "recipe": {"concat": {"axis": 0, "of": ["q", "k", {"cast": {"dtype": "bf16", "of": ["v"]}}]}}}],
    "kv_cache": {"layers": 2, "blocks": 8, "block_size": 16, "kv_heads": 2, "head_dim": 8, "dtype": "bf16"},
    "arena": {"bytes": 4096, "alignment": 256},
    "buffers": [{"name": "v0", "offset": 0, "bytes": 2048}, {"name": "v1", "offset": 2048, "bytes": 2048}],
    "kernels": [{"name": "scale_1", "source": "kernels/scale_1.cu", "ops": ["graph.mul"],
                 "block": [128], "grid": ["ceildiv(tokens * 8, 128)", 1],
                 "params": [{"name": "x", "kind": "input", "ref": "x"},
                            {"name": "out", "kind": "buffer", "ref": "v0"},
                            {"name": "k", "kind": "kv_k"},
                            {"name": "s", "kind": "float", "value": 0.5},
                            {"name": "n", "kind": "dim", "ref": "tokens"}]},
                {"name": "copy_2", "source": "kernels/copy_2.cu", "block": [256, 1, 1], "grid": [4],
                 "shared_bytes": 1024,
                 "params": [{"name": "a", "kind": "buffer", "ref": "v0"},
                            {"name": "b", "kind": "buffer", "ref": "v1"},
                            {"name": "w", "kind": "weight", "ref": "loom.qkv.0"},
                            {"name": "xm", "kind": "tma", "of": "buffer", "ref": "v0", "rows": "tokens",
                             "cols": 8, "box_rows": 128, "box_cols": 64}]}],
    "program": ["scale_1", "copy_2", "scale_1"]
  })json");
}

std::string errorOf(const Json &json) {
  auto manifest = parseManifest(json.dump());
  return manifest.isOk() ? std::string("(parsed)") : manifest.status().message();
}

TEST(ManifestTest, ParsesEveryField) {
  auto m = parseManifest(validManifest().dump());
  ASSERT_TRUE(m.isOk()) << m.status().toString();
  EXPECT_EQ(m->target, "sm_90a");
  EXPECT_EQ(m->maxDims.at("tokens"), 64);
  ASSERT_EQ(m->inputs.size(), 1u);
  EXPECT_EQ(*m->inputs[0].shape[0].evaluate({{"tokens", 5}}), 5);
  EXPECT_EQ(m->outputBuffers, std::vector<std::string>{"v1"});
  ASSERT_EQ(m->weights.size(), 2u);
  EXPECT_EQ(m->weights[0].recipe.kind, WeightRecipe::Kind::kTensor);
  EXPECT_EQ(m->weights[0].recipe.tensor, "w");
  const WeightRecipe &qkv = m->weights[1].recipe;
  EXPECT_EQ(qkv.kind, WeightRecipe::Kind::kConcat);
  ASSERT_EQ(qkv.of.size(), 3u);
  EXPECT_EQ(qkv.of[1].tensor, "k");
  EXPECT_EQ(qkv.of[2].kind, WeightRecipe::Kind::kCast);
  EXPECT_EQ(qkv.of[2].of[0].tensor, "v");
  ASSERT_TRUE(m->kvCache.has_value());
  EXPECT_EQ(m->kvCache->poolBytes(), 2u * 8 * 16 * 2 * 8 * 2);
  ASSERT_EQ(m->kernels.size(), 2u);
  const KernelSpec &scale = m->kernels[0];
  EXPECT_EQ(scale.block[0], 128u);
  EXPECT_EQ(*scale.grid[0].evaluate({{"tokens", 33}}), 3);
  EXPECT_EQ(*scale.grid[2].evaluate({}), 1);
  EXPECT_EQ(scale.params[3].kind, ParamKind::kFloatScalar);
  EXPECT_DOUBLE_EQ(scale.params[3].scalar, 0.5);
  EXPECT_EQ(m->kernels[1].sharedBytes, 1024u);
  const ParamSpec &tma = m->kernels[1].params[3];
  EXPECT_EQ(tma.kind, ParamKind::kTma);
  EXPECT_EQ(tma.tma.of, ParamKind::kBuffer);
  EXPECT_EQ(*tma.tma.rows.evaluate({{"tokens", 9}}), 9);
  EXPECT_EQ(tma.tma.boxRows, 128u);
  EXPECT_EQ(m->program, (std::vector<size_t>{0, 1, 0}));
  EXPECT_EQ(m->programGuards, std::vector<LaunchGuard>(3, LaunchGuard::always()));
}

TEST(ManifestTest, ParsesAReshapeRecipe) {
  Json json = validManifest();
  json["weights"][1]["recipe"] = {{"reshape", {{"shape", {4, 2, 8, 64}}, {"of", {"q"}}}}};
  auto m = parseManifest(json.dump());
  ASSERT_TRUE(m.isOk()) << m.status().toString();
  const WeightRecipe &recipe = m->weights[1].recipe;
  EXPECT_EQ(recipe.kind, WeightRecipe::Kind::kReshape);
  EXPECT_EQ(recipe.shape, (std::vector<int64_t>{4, 2, 8, 64}));
  ASSERT_EQ(recipe.of.size(), 1u);
  EXPECT_EQ(recipe.of[0].tensor, "q");
}

TEST(ManifestTest, ParsesGuardedProgramEntries) {
  Json json = validManifest();
  json["program"] = Json::parse(R"json(["scale_1", {"kernel": "copy_2", "when": "decode"},
                                        {"kernel": "scale_1", "when": "prefill"}])json");
  auto m = parseManifest(json.dump());
  ASSERT_TRUE(m.isOk()) << m.status().toString();
  EXPECT_EQ(m->program, (std::vector<size_t>{0, 1, 0}));
  std::vector<std::string> guards;
  for (const LaunchGuard &guard : m->programGuards)
    guards.push_back(guard.text());
  EXPECT_EQ(guards, (std::vector<std::string>{"always", "decode", "prefill"}));
  // A decode-only step (one token per sequence, as a padded CUDA graph bucket) takes the decode
  // branch; a ragged prefill or mixed step the prefill branch.
  EXPECT_EQ(m->launches({{"tokens", 4}, {"seqs", 4}}), (std::vector<size_t>{0, 1}));
  EXPECT_EQ(m->launches({{"tokens", 1}, {"seqs", 1}}), (std::vector<size_t>{0, 1}));
  EXPECT_EQ(m->launches({{"tokens", 37}, {"seqs", 4}}), (std::vector<size_t>{0, 0}));
  auto unguarded = parseManifest(validManifest().dump());
  ASSERT_TRUE(unguarded.isOk()) << unguarded.status().toString();
  EXPECT_EQ(unguarded->launches({{"tokens", 4}, {"seqs", 4}}), (std::vector<size_t>{0, 1, 0}));
}

TEST(ManifestTest, RowCountGuardsPickOneVariantPerStep) {
  // A GEMV variant and its GEMM (compiler/Transforms/Tile/GemvVariants.h), then a kernel with
  // a decode guard joined to a row guard.
  Json json = validManifest();
  json["program"] = Json::parse(R"json([{"kernel": "copy_2", "when": "tokens <= 16"},
                                        {"kernel": "scale_1", "when": "tokens > 16"},
                                        {"kernel": "copy_2", "when": "decode && tokens > 16"}])json");
  auto m = parseManifest(json.dump());
  ASSERT_TRUE(m.isOk()) << m.status().toString();
  EXPECT_EQ(m->programGuards[2].dimNames(), (std::vector<std::string>{"seqs", "tokens"}));
  EXPECT_EQ(m->launches({{"tokens", 1}, {"seqs", 1}}), (std::vector<size_t>{1}));
  EXPECT_EQ(m->launches({{"tokens", 16}, {"seqs", 3}}), (std::vector<size_t>{1}));
  EXPECT_EQ(m->launches({{"tokens", 17}, {"seqs", 3}}), (std::vector<size_t>{0}));
  EXPECT_EQ(m->launches({{"tokens", 32}, {"seqs", 32}}), (std::vector<size_t>{0, 1}));
}

TEST(ManifestTest, NamesTheBrokenField) {
  struct Case {
    const char *what;
    std::function<void(Json &)> edit;
    const char *message;
  };
  const Case cases[] = {
      {"unknown buffer", [](Json &j) { j["kernels"][0]["params"][1]["ref"] = "v9"; },
       "kernels[0].params[1]: unknown buffer 'v9'"},
      {"unknown weight", [](Json &j) { j["kernels"][1]["params"][2]["ref"] = "nope"; },
       "kernels[1].params[2]: unknown weight 'nope'"},
      {"tma in a kv pool", [](Json &j) { j["kernels"][1]["params"][3]["of"] = "kv_k"; },
       "kernels[1].params[3].of: a tma matrix lives in a buffer, weight or input, not 'kv_k'"},
      {"tma unknown dim", [](Json &j) { j["kernels"][1]["params"][3]["rows"] = "rows"; },
       "kernels[1]: unknown dim 'rows' in a grid or tma extent"},
      {"tma unknown buffer", [](Json &j) { j["kernels"][1]["params"][3]["ref"] = "v5"; },
       "kernels[1].params[3]: unknown buffer 'v5'"},
      {"unknown kernel", [](Json &j) { j["program"][1] = "missing"; },
       "program[1]: unknown kernel 'missing'"},
      {"unknown guarded kernel", [](Json &j) { j["program"][1] = {{"kernel", "missing"}, {"when", "decode"}}; },
       "program[1]: unknown kernel 'missing'"},
      {"unknown guard", [](Json &j) { j["program"][1] = {{"kernel", "copy_2"}, {"when", "sometimes"}}; },
       "program[1].when: launch guard 'sometimes': 'sometimes' is not a comparison (expected 'decode', 'prefill' or"},
      {"guard spelled always", [](Json &j) { j["program"][1] = {{"kernel", "copy_2"}, {"when", "always"}}; },
       "program[1].when: launch guard 'always': 'always' is not a comparison"},
      {"guard with a bad expression", [](Json &j) { j["program"][1] = {{"kernel", "copy_2"}, {"when", "tokens <= ceildiv(8"}}; },
       "program[1].when: launch guard 'tokens <= ceildiv(8': dim expression 'ceildiv(8'"},
      {"guard over an unbounded dim", [](Json &j) { j["program"][1] = {{"kernel", "copy_2"}, {"when", "rows <= 16"}}; },
       "program[1].when: guard 'rows <= 16' reads the dim 'rows', which the package does not bound"},
      {"guard without when", [](Json &j) { j["program"][1] = {{"kernel", "copy_2"}}; },
       "program[1]: missing 'when'"},
      {"guard without kernel", [](Json &j) { j["program"][1] = {{"when", "decode"}}; },
       "program[1]: missing 'kernel'"},
      {"guard of wrong type", [](Json &j) { j["program"][1] = {{"kernel", "copy_2"}, {"when", 1}}; },
       "program[1].when: has the wrong type (number)"},
      {"entry of wrong type", [](Json &j) { j["program"][1] = 7; },
       "program[1]: must be a kernel name or {\"kernel\": name, \"when\": guard}"},
      {"guard without seqs bound", [](Json &j) {
         j["dims"].erase("seqs");
         j["program"][1] = {{"kernel", "copy_2"}, {"when", "decode"}};
       },
       "program[1].when: guard 'decode' reads the dim 'seqs', which the package does not bound"},
      {"program missing", [](Json &j) { j.erase("program"); }, "missing 'program'"},
      {"unknown dim in grid", [](Json &j) { j["kernels"][0]["grid"][0] = "ceildiv(rows, 2)"; },
       "kernels[0]: unknown dim 'rows' in a grid or tma extent"},
      {"bad grid syntax", [](Json &j) { j["kernels"][0]["grid"][0] = "ceildiv(tokens"; },
       "kernels[0].grid[0]"},
      {"buffer outside arena", [](Json &j) { j["buffers"][1]["bytes"] = 4096; },
       "buffers[1]: 'v1' [2048, +4096) is misaligned or outside the arena of 4096 bytes"},
      {"misaligned buffer", [](Json &j) { j["buffers"][1]["offset"] = 100; },
       "buffers[1]: 'v1' [100, +2048) is misaligned"},
      {"kv without cache", [](Json &j) { j.erase("kv_cache"); },
       "kernels[0].params[2]: reads the KV cache but the package has none"},
      {"unknown dtype", [](Json &j) { j["inputs"][0]["dtype"] = "f8"; }, "inputs[0].dtype: unknown dtype 'f8'"},
      {"unknown kind", [](Json &j) { j["kernels"][0]["params"][0]["kind"] = "texture"; },
       "kernels[0].params[0].kind: unknown parameter kind 'texture'"},
      {"missing field", [](Json &j) { j["kernels"][1].erase("source"); }, "kernels[1]: missing 'source'"},
      {"wrong type", [](Json &j) { j["kernels"][1]["shared_bytes"] = "lots"; },
       "kernels[1].shared_bytes: has the wrong type (string)"},
      {"duplicate kernel", [](Json &j) { j["kernels"][1]["name"] = "scale_1"; },
       "kernels[1]: duplicate kernel 'scale_1'"},
      {"wrong version", [](Json &j) { j["version"] = 2; }, "expected loom-package version 1"},
      {"unknown output buffer", [](Json &j) { j["outputs"][0]["buffer"] = "v7"; },
       "outputs[0]: unknown buffer 'v7'"},
      {"bad weight extent", [](Json &j) { j["weights"][0]["shape"][0] = "tokens"; },
       "weights[0].shape[0]: a weight's extents must be positive integers"},
      {"unknown recipe", [](Json &j) { j["weights"][1]["recipe"] = {{"fold", {{"of", {"q"}}}}}; },
       "weights[1].recipe: unknown recipe 'fold'"},
      {"recipe without operands", [](Json &j) { j["weights"][1]["recipe"]["concat"]["of"] = Json::array(); },
       "weights[1].recipe.concat: needs a non-empty 'of'"},
      {"scale arity", [](Json &j) { j["weights"][1]["recipe"] = {{"scale", {{"axis", 1}, {"of", {"q"}}}}}; },
       "weights[1].recipe.scale: scale takes a tensor and a vector"},
      {"reshape without shape", [](Json &j) { j["weights"][1]["recipe"] = {{"reshape", {{"of", {"q"}}}}}; },
       "weights[1].recipe.reshape"},
      {"reshape arity", [](Json &j) { j["weights"][1]["recipe"] = {{"reshape", {{"shape", {2, 4}}, {"of", {"q", "k"}}}}}; },
       "weights[1].recipe.reshape: reshape takes one operand"},
  };
  for (const auto &c : cases) {
    Json json = validManifest();
    c.edit(json);
    EXPECT_NE(errorOf(json).find(c.message), std::string::npos)
        << c.what << ": got '" << errorOf(json) << "'";
  }
  EXPECT_NE(parseManifest("{not json").status().message().find("not a JSON object"), std::string::npos);
}

TEST(ManifestTest, LaunchOverlapIsOptInPerPackage) {
  auto plain = parseManifest(validManifest().dump());
  ASSERT_TRUE(plain.isOk()) << plain.status().toString();
  EXPECT_FALSE(plain->launchOverlap); // hand-written kernels may not wait for the previous grid
  Json json = validManifest();
  json["launch_overlap"] = true;
  auto overlapping = parseManifest(json.dump());
  ASSERT_TRUE(overlapping.isOk()) << overlapping.status().toString();
  EXPECT_TRUE(overlapping->launchOverlap);
  json["launch_overlap"] = 1;
  EXPECT_NE(errorOf(json).find("launch_overlap: has the wrong type (number)"), std::string::npos)
      << errorOf(json);
}

TEST(ManifestTest, BatchInvarianceIsRecordedPerPackage) {
  auto plain = parseManifest(validManifest().dump());
  ASSERT_TRUE(plain.isOk()) << plain.status().toString();
  EXPECT_FALSE(plain->batchInvariant);
  Json json = validManifest();
  json["batch_invariant"] = true;
  auto invariant = parseManifest(json.dump());
  ASSERT_TRUE(invariant.isOk()) << invariant.status().toString();
  EXPECT_TRUE(invariant->batchInvariant);
  json["batch_invariant"] = "yes";
  EXPECT_NE(errorOf(json).find("batch_invariant: has the wrong type (string)"), std::string::npos)
      << errorOf(json);
}

} // namespace
} // namespace loom::rt

// Builder: a typed C++ DSL that builds one graph-dialect function, reading like model code.
#pragma once

#include "frontend/Builder/DType.h"
#include "frontend/Builder/Dim.h"
#include "frontend/Builder/OpOptions.h"
#include "frontend/Builder/Tensor.h"
#include "frontend/Builder/WeightSpec.h"
#include "runtime/Support/Status.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

#include <cstdint>
#include <initializer_list>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace loom {

/// A value a function returns: a Tensor or a KVCache, optionally named (`loom.name`).
struct Output {
  Output(Tensor tensor) : value(tensor.value()) {}
  Output(KVCache cache) : value(cache.value()) {}
  Output(std::string name, Tensor tensor) : value(tensor.value()), name(std::move(name)) {}
  Output(std::string name, KVCache cache) : value(cache.value()), name(std::move(name)) {}
  mlir::Value value;
  std::string name;
};

/// Builds one `func.func` of graph ops:
///
///   loom::Builder b(context);
///   auto x = b.input("x", {Dim::dynamic("tokens", 4096), 512}, DType::bf16);
///   auto h = b.rmsNorm(x, b.weight("norm.weight", {512}), 1e-5f);
///   auto y = b.linear(h, b.weight("proj.weight", {1024, 512}));
///   auto module = b.finish({y});
///
/// Every op is checked when it is built: a shape or type error records a Status naming the op,
/// its operand types and the verifier's reason, and the op returns an invalid Tensor. The first
/// error sticks: later ops return invalid Tensors and `finish` returns that error, so model code
/// needs no error check per line (test `ok()` where an early exit helps).
class Builder {
public:
  /// Starts function `functionName` in a new module; loads the graph and func dialects.
  explicit Builder(mlir::MLIRContext &context, std::string functionName = "forward");
  Builder(const Builder &) = delete;
  Builder &operator=(const Builder &) = delete;

  // ---- arguments, parameters, bounds ----

  /// A function argument. Dynamic dimensions are named (the argument's `loom.dims`); a bound
  /// given with a dimension becomes the function's `loom.max_<name>`.
  Tensor input(const std::string &name, const std::vector<Dim> &shape, DType dtype);
  /// A `!graph.kv_cache` function argument of element type `dtype`.
  KVCache kvCacheInput(const std::string &name, const KVCacheShape &shape, DType dtype);
  /// Bounds dynamic dimension `dimName` by `maxExtent` (the function's `loom.max_<dimName>`).
  void bound(const std::string &dimName, int64_t maxExtent);

  /// The checkpoint tensor `name` (`graph.weight`), in the builder's weight dtype. Asking again
  /// for the same name and type returns the same value; another type is an error.
  Tensor weight(const std::string &name, const std::vector<int64_t> &shape);
  Tensor weight(const std::string &name, const std::vector<int64_t> &shape, DType dtype);
  /// The element type `weight(name, shape)` uses (bf16 unless set).
  void setWeightDType(DType dtype) { weightDType_ = dtype; }
  DType weightDType() const { return weightDType_; }
  /// The weights bound so far, in the order they were first asked for.
  const std::vector<WeightSpec> &weights() const { return weights_; }

  /// Names where the next ops come from (e.g. "model.layers.3.mlp"); prefixes error messages and
  /// becomes the ops' location. Empty clears it.
  void setScope(std::string scope) { scope_ = std::move(scope); }

  // ---- elementwise ----

  Tensor add(Tensor lhs, Tensor rhs);
  Tensor mul(Tensor lhs, Tensor rhs);
  Tensor silu(Tensor x);
  Tensor gelu(Tensor x, GeluApproximation approximation = GeluApproximation::none);
  /// Converts to another float type; a cast to the tensor's own type returns it unchanged.
  Tensor cast(Tensor x, DType dtype);
  /// Softmax over the last dimension.
  Tensor softmax(Tensor x);
  /// Index (i32) of the largest element of each row of the last dimension.
  Tensor argmax(Tensor x);

  // ---- gathers, products, norms ----

  /// Rows `ids` of the 2-D `table` (token embedding, or any row gather).
  Tensor embedding(Tensor table, Tensor ids);
  /// x · wᵀ (+ bias), w in [out, in] layout.
  Tensor linear(Tensor x, Tensor w);
  Tensor linear(Tensor x, Tensor w, Tensor bias);
  /// Batched a · b over the last two dimensions.
  Tensor matmul(Tensor a, Tensor b);
  Tensor rmsNorm(Tensor x, Tensor w, float eps);
  Tensor layerNorm(Tensor x, Tensor w, float eps);
  Tensor layerNorm(Tensor x, Tensor w, Tensor bias, float eps);

  // ---- attention and sampling ----

  /// Rotary embedding of `x` ([tokens, heads * headDim]) at `positions` ([tokens] i32/i64).
  Tensor rope(Tensor x, Tensor positions, const RopeOptions &options);
  /// Attention of a ragged batch whose sequence b owns rows seqStarts[b] .. seqStarts[b+1].
  Tensor attention(Tensor q, Tensor k, Tensor v, Tensor seqStarts, const AttentionOptions &options);
  /// Writes k/v rows into their `slots` of layer `layer`; returns the updated cache.
  KVCache kvAppend(KVCache cache, Tensor k, Tensor v, Tensor slots, int64_t layer);
  /// Attention of the queries over their context in layer `layer` of the paged cache.
  Tensor pagedAttention(Tensor q, KVCache cache, Tensor blockTables, Tensor seqStarts,
                        Tensor contextLens, int64_t layer, const AttentionOptions &options);
  /// One token per row of f32 logits, with per-row temperature, top-k, top-p, min-p and seed.
  Tensor sample(Tensor logits, Tensor temperature, Tensor topK, Tensor topP, Tensor minP,
                Tensor seed);

  // ---- layout ----

  /// The same elements in another shape (at most one dynamic extent on each side).
  Tensor reshape(Tensor x, const std::vector<int64_t> &shape);
  /// Result dimension i is input dimension permutation[i].
  Tensor transpose(Tensor x, const std::vector<int64_t> &permutation);
  /// Joins tensors along `axis` (negative counts from the end).
  Tensor concat(const std::vector<Tensor> &inputs, int64_t axis);
  /// Cuts `x` along `axis` into pieces of extents `sizes`.
  std::vector<Tensor> split(Tensor x, int64_t axis, const std::vector<int64_t> &sizes);

  // ---- result ----

  /// Ok, or the first error met while building.
  const Status &status() const { return status_; }
  bool ok() const { return status_.isOk(); }

  /// Returns `outputs` from the function, attaches `loom.dims` and `loom.max_*`, verifies the
  /// module and hands it over. The first build error, or the verifier's diagnostics, otherwise.
  /// The builder is spent afterwards.
  StatusOr<mlir::OwningOpRef<mlir::ModuleOp>> finish(const std::vector<Output> &outputs);

private:
  /// Builds OpT from `args` and verifies it; nullptr (error recorded) when an operand is
  /// invalid or the verifier rejects it. `operands` are named in the error.
  template <typename OpT, typename... Args>
  mlir::Operation *create(llvm::ArrayRef<mlir::Value> operands, Args &&...args);
  /// `create` for an op of one tensor result.
  template <typename OpT, typename... Args>
  Tensor build(llvm::ArrayRef<mlir::Value> operands, Args &&...args);
  /// False (and records why, unless an error is already recorded) when an operand is invalid.
  bool ready(std::string_view op, llvm::ArrayRef<mlir::Value> operands);
  /// Records "<scope>: <op> of (<operand types>): <reason>" unless an error is recorded.
  void fail(std::string_view op, llvm::ArrayRef<mlir::Value> operands,
            const std::string &reason);
  /// `condition`, recording "<op> of (...): <reason>" when it is false.
  bool check(bool condition, std::string_view op, llvm::ArrayRef<mlir::Value> operands,
             const std::string &reason);
  /// `axis` made non-negative for a tensor of `rank`; nullopt when out of range.
  static std::optional<int64_t> normalizeAxis(int64_t axis, int64_t rank);
  mlir::Location location();

  mlir::MLIRContext &context_;
  mlir::OpBuilder builder_;
  mlir::OwningOpRef<mlir::ModuleOp> module_;
  mlir::Operation *function_ = nullptr;
  std::vector<std::string> inputNames_;
  std::vector<std::vector<std::string>> inputDims_;
  std::map<std::string, int64_t> bounds_;
  std::vector<WeightSpec> weights_;
  std::map<std::string, mlir::Value> weightValues_;
  std::string scope_;
  DType weightDType_ = DType::bf16;
  Status status_;
  bool finished_ = false;
};

} // namespace loom

// Manifest: the parsed, validated manifest.json of a Loom package (docs/package.md).
#pragma once

#include "runtime/Package/DimExpr.h"
#include "runtime/Package/LaunchGuard.h"
#include "runtime/Support/Status.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace loom::rt {

/// Storage types a package names.
enum class DType { kBF16, kF16, kF32, kI32, kI64 };

StatusOr<DType> parseDType(std::string_view name);
const char *dtypeName(DType dtype);
size_t dtypeBytes(DType dtype);

/// A named tensor whose extents may be dim expressions ("tokens", 4096).
struct TensorSpec {
  std::string name;
  DType dtype = DType::kF32;
  std::vector<DimExpr> shape;
};

/// How a package weight is built from checkpoint tensors at load time (docs/package.md):
/// a checkpoint tensor, or an operation over sub-recipes.
struct WeightRecipe {
  enum class Kind { kTensor, kConcat, kTranspose, kCast, kScale, kReshape };
  Kind kind = Kind::kTensor;
  std::string tensor;               ///< kTensor: the checkpoint name
  int64_t axis = 0;                 ///< kConcat, kScale
  std::vector<int64_t> permutation; ///< kTranspose
  std::vector<int64_t> shape;       ///< kReshape: the new row-major shape (same element count)
  DType dtype = DType::kF32;        ///< kCast: round through this type
  std::vector<WeightRecipe> of;     ///< operands (kScale: the tensor, then the vector)
};

/// A weight the package reads; its recipe is by default the checkpoint tensor of the same name.
struct WeightSpec {
  std::string name;
  DType dtype = DType::kF32;
  std::vector<int64_t> shape;
  WeightRecipe recipe;
};

/// An activation buffer at a fixed offset of the arena.
struct BufferSpec {
  std::string name;
  uint64_t offset = 0;
  uint64_t bytes = 0;
};

/// How one kernel parameter is bound at launch.
enum class ParamKind { kBuffer, kWeight, kInput, kOutput, kKvK, kKvV, kDim, kIntScalar, kFloatScalar, kTma };

/// kTma: a TMA descriptor of a row-major bf16 [rows, cols] matrix (loom/gemm_sm90.cuh operands).
struct TmaSpec {
  ParamKind of = ParamKind::kBuffer; ///< where the matrix lives: buffer, weight or input
  DimExpr rows = DimExpr::constant(0);
  int64_t cols = 0;
  uint32_t boxRows = 0, boxCols = 0;
};

struct ParamSpec {
  std::string name;
  ParamKind kind = ParamKind::kBuffer;
  std::string ref;       ///< buffer/weight/input/output/dim name (kTma: of the matrix)
  double scalar = 0;     ///< kIntScalar / kFloatScalar
  TmaSpec tma;           ///< kTma
};

struct KernelSpec {
  std::string name;
  std::string sourcePath; ///< relative to the package folder
  std::vector<std::string> ops;
  std::array<unsigned, 3> block{1, 1, 1};
  std::array<DimExpr, 3> grid{DimExpr::constant(1), DimExpr::constant(1), DimExpr::constant(1)};
  unsigned sharedBytes = 0;
  std::vector<ParamSpec> params;
};

struct KvCacheSpec {
  int64_t layers = 0, blocks = 0, blockSize = 0, kvHeads = 0, headDim = 0;
  DType dtype = DType::kBF16;
  /// Bytes of one of the two pools (K or V).
  uint64_t poolBytes() const {
    return static_cast<uint64_t>(layers * blocks * blockSize * kvHeads * headDim) * dtypeBytes(dtype);
  }
};

/// A whole manifest. Every cross-reference has been checked by parseManifest.
struct Manifest {
  std::string target;
  DimValues maxDims;
  std::vector<TensorSpec> inputs, outputs;
  std::vector<std::string> outputBuffers; ///< per output, the buffer holding it
  std::vector<WeightSpec> weights;
  std::optional<KvCacheSpec> kvCache;
  uint64_t arenaBytes = 0;
  uint64_t arenaAlignment = 256;
  std::vector<BufferSpec> buffers;
  std::vector<KernelSpec> kernels;
  std::vector<size_t> program; ///< indices into kernels, in launch order
  /// Per program entry, the steps it launches on (LaunchGuard::always() for a plain kernel name).
  std::vector<LaunchGuard> programGuards;
  /// Whether every kernel waits for the previous one itself (loom/grid_dependency.cuh), so
  /// the program may be launched with programmatic dependent launch ("launch_overlap").
  bool launchOverlap = false;
  /// Whether the compiler chose one kernel per op at every step shape ("batch_invariant"), so a
  /// row's result does not depend on the batch it runs in (docs/batch-invariance.md).
  bool batchInvariant = false;

  const KernelSpec *findKernel(std::string_view name) const;
  /// Indices into kernels that a step with `dims` launches, in order: the program entries
  /// whose guard holds (a decode-only step takes the decode branch, every other the prefill one).
  std::vector<size_t> launches(const DimValues &dims) const;
};

/// Parses and validates manifest.json text. Errors name the offending field, e.g.
/// "kernels[2].params[1]: unknown buffer 'v9'".
StatusOr<Manifest> parseManifest(std::string_view json);

} // namespace loom::rt

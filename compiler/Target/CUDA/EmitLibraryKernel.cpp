// Emission of library kernels (tile.kernel with loom.library): a device-library call whose
// arguments are the kernel's parameters in order, its template values from the kernel's config.
//
// How it works: graph-to-tile added the parameters in the order of the library call and fixed
// the launch shape; each table row names the library, the parameters the call writes through
// (the others are const) and how the call is spelled.
#include "compiler/Target/CUDA/KernelSource.h"
#include "compiler/Transforms/Tile/KernelAnalysis.h"

#include "llvm/ADT/StringExtras.h"

namespace loom::cuda {

namespace {

/// What a library call needs: parameter names, the element type and config values.
struct LibraryCall {
  mutable tile::KernelOp kernel;
  std::vector<std::string> args;
  std::string element;

  std::string config(llvm::StringRef key) const {
    return std::to_string(kernel.getConfigValue(key).value_or(0));
  }
  /// Parameters [first, last) joined by ", ".
  std::string argRange(size_t first, size_t last) const {
    return llvm::join(llvm::ArrayRef(args).slice(first, last - first), ", ");
  }
};

std::string ropeKvAppendCall(const LibraryCall &c) {
  std::string style = c.config("interleaved") == "1" ? "kInterleaved" : "kRotateHalf";
  return "  loom::ropeKvAppend<" + c.element + ", loom::RopeStyle::" + style + ", " + c.config("heads") +
         ", " + c.config("kv_heads") + ", " + c.config("head_dim") + ", " + c.config("block_size") +
         ", " + c.config("rows") + ">(" + c.argRange(0, 8) + ", loom::RopeFrequencies{" +
         c.argRange(8, 13) + "});\n";
}

/// `<Config, T, heads, kv_heads, block_size, causal>(13 arguments);`: both prefill kernels' call.
std::string prefillCallTail(const LibraryCall &c) {
  return "<Config, " + c.element + ", " + c.config("heads") + ", " + c.config("kv_heads") + ", " +
         c.config("block_size") + ", " + (c.config("causal") == "1" ? "true" : "false") + ">(" +
         c.argRange(0, 13) + ");\n";
}

std::string pagedAttentionCall(const LibraryCall &c) {
  return "  using Config = loom::AttentionPrefillConfig<" + c.config("head_dim") + ", " + c.config("bm") +
         ", " + c.config("bn") + ", " + c.config("warps") + ">;\n  loom::attentionPrefill" + prefillCallTail(c);
}

std::string pagedAttentionSm90Call(const LibraryCall &c) {
  return "  using Config = loom::sm90::AttentionPrefillSm90Config<" + c.config("head_dim") + ", " +
         c.config("bn") + ", " + c.config("stages") + ">;\n  loom::sm90::attentionPrefillSm90" +
         prefillCallTail(c);
}

std::string decodeConfig(const LibraryCall &c) {
  return "  using Config = loom::AttentionDecodeConfig<" + c.config("heads") + ", " + c.config("kv_heads") +
         ", " + c.config("head_dim") + ", " + c.config("block_size") + ", " + c.config("blocks_per_split") +
         ">;\n";
}

std::string pagedSimtCall(const LibraryCall &c) {
  return "  loom::attentionSimt<" + c.element + ", " + c.config("heads") + ", " + c.config("kv_heads") + ", " +
         c.config("head_dim") + ", " + c.config("block_size") + ", " +
         (c.config("causal") == "1" ? "true" : "false") + ", " + c.config("warps") + ">(" + c.argRange(0, 13) +
         ");\n";
}

std::string pagedDecodeCall(const LibraryCall &c) {
  return decodeConfig(c) + "  loom::attentionDecodeSplit<Config, " + c.element + ">(" + c.argRange(0, 14) +
         ");\n";
}

std::string matmulSimtCall(const LibraryCall &c) {
  return "  using Config = loom::GemmSimtConfig<" + c.config("bm") + ", " + c.config("bn") + ", " + c.config("bk") +
         ", " + c.config("tm") + ", " + c.config("tn") + ">;\n  loom::matmulSimt<Config, " + c.element +
         ", loom::GemmSimtB::" + (c.config("b_kn") == "1" ? "kKN" : "kNK") + ">(" + c.argRange(0, 6) + ");\n";
}

struct LibraryKernel {
  llvm::StringLiteral library, header;
  size_t parameters;                        ///< the call's arity
  std::initializer_list<size_t> writable;   ///< parameters written through
  size_t elementParameter;                  ///< a bf16/f16 pointer (K cache pool or output): T
  std::string (*call)(const LibraryCall &);
  llvm::StringLiteral launchBounds;         ///< after the thread count
};

const LibraryKernel kLibraryKernels[] = {
    {"rope_kv_append", "loom/kv_append.cuh", 13, {0, 3, 4}, 3, ropeKvAppendCall, ", 1"},
    {"paged_attention_prefill", "loom/attention_prefill.cuh", 13, {4}, 2, pagedAttentionCall, ", 1"},
    {"paged_attention_prefill_sm90", "loom/attention_prefill_sm90.cuh", 13, {4}, 2, pagedAttentionSm90Call,
     ", 1"},
    {"paged_attention_simt", "loom/attention_simt.cuh", 13, {4}, 2, pagedSimtCall, ""},
    {"paged_attention_decode", "loom/attention_decode.cuh", 14, {10, 11, 12, 13}, 2, pagedDecodeCall, ", 1"},
    {"matmul_simt", "loom/gemm_simt.cuh", 6, {2}, 0, matmulSimtCall, ""},
};

} // namespace

mlir::FailureOr<std::string> emitLibraryKernel(tile::KernelOp kernel) {
  auto library = kernel->getAttrOfType<mlir::StringAttr>(tile::kLibraryAttrName);
  auto entry = llvm::find_if(kLibraryKernels, [&](const LibraryKernel &k) { return k.library == library.getValue(); });
  if (entry == std::end(kLibraryKernels))
    return kernel.emitOpError() << "names no device-library kernel '" << library.getValue() << "'";
  auto arguments = kernel.getBody().getArguments();
  if (arguments.size() != entry->parameters)
    return kernel.emitOpError() << "has " << arguments.size() << " parameters but " << library.getValue()
                                << " takes " << entry->parameters;
  KernelSource source(kernel);
  source.include(entry->header);
  LibraryCall call{kernel, {}, source.pointee(arguments[entry->elementParameter])};
  for (auto [index, argument] : llvm::enumerate(arguments)) {
    std::string name = source.name(argument);
    call.args.push_back(name);
    if (!llvm::isa<tile::PtrType>(argument.getType()))
      continue;
    bool written = llvm::is_contained(entry->writable, index);
    source.declare(argument, (written ? "" : "const ") + source.pointee(argument) + " *" + name);
  }
  return source.render(entry->call(call), std::to_string((*kernel.getBlock())[0]) + entry->launchBounds.str());
}

} // namespace loom::cuda

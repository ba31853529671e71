#!/usr/bin/env bash
# bench-issue8.sh: issue 8's whole-model measurements in one GPU call — loom-run bench on the
# Llama-3.2-1B shapes (batch 1 cold compile + --profile, batch 16 warm, batch 64 + --profile,
# a 1024-token prompt's TTFT, then that prompt's prefill step profiled) and then
# test/reference/llama_baseline.py with the time left, so every ratio is same-run.
# Usage (repo root on the GPU machine, loom-run carried in DIR/bin):
#   bash tools/loom-run/bench-issue8.sh DIR [TOTAL_SECONDS=285]   (LOOM_ONLY=1: no baseline)
# Results: $OUT/loom-{b1,b16,b64,ttft1k,ttft1k-profile}.json, $OUT/torch.json, $OUT/bench.log.
set -uo pipefail
dir="$1"
total="${2:-285}"
out="${OUT:-$dir/out}"
mkdir -p "$out"
started=$(date +%s)
export LD_LIBRARY_PATH="/usr/local/cuda/lib64:/usr/local/cuda/targets/x86_64-linux/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export LOOM_CACHE_DIR="$(mktemp -d /tmp/loom-bench-cache.XXXXXX)" PYTHONUNBUFFERED=1 TOKENIZERS_PARALLELISM=false
config=examples/configs/llama-3.2-1b.json
common=(--model "$config" --random-weights --backend gpu --ignore-eos --max-batched-tokens 2048)
decode=(--input-len 128 --output-len 256 --max-seqs 64 --max-model-len 512)
nvidia-smi --query-gpu=name,driver_version,clocks.max.sm,power.limit --format=csv,noheader
nproc
# name | extra arguments (the first run starts with an empty kernel cache: cold compile)
runs=(
  "b1|--num-requests 1 --concurrency 1 ${decode[*]} --profile"
  "b16|--num-requests 16 --concurrency 16 ${decode[*]}"
  "b64|--num-requests 64 --concurrency 64 ${decode[*]} --profile"
  "ttft1k|--num-requests 4 --concurrency 1 --input-len 1024 --output-len 16 --max-seqs 64 --max-model-len 1280"
  "ttft1k-profile|--num-requests 1 --concurrency 1 --input-len 1024 --output-len 1 --max-seqs 64 --max-model-len 1280 --profile"
)
for row in "${runs[@]}"; do
  name="${row%%|*}"
  read -r -a extra <<< "${row#*|}"
  echo "== loom-run bench $name ($(( $(date +%s) - started )) s)"
  timeout 90 "$dir/bin/loom-run" bench "${common[@]}" "${extra[@]}" --json "$out/loom-$name.json"
  echo "(exit $?)"
done
[[ "${LOOM_ONLY:-0}" == 1 ]] && exit 0
left=$(( total - ($(date +%s) - started) - 10 ))
echo "== llama_baseline.py, budget $left s"
timeout "$(( left + 5 ))" python3 test/reference/llama_baseline.py --config "$config" \
  --new-tokens 256 --eager-new-tokens 32 --batches 1 64 16 --ttft-lens 1024 128 \
  --budget-s "$left" --json "$out/torch.json"
echo "== done in $(( $(date +%s) - started )) s"

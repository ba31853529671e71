#!/usr/bin/env bash
# trace-check-gpu.sh: the GPU checks of loom-run --trace in one device call — stories260k generate
# and bench traces checked by check-trace.py (kernel events with positive GPU times inside their
# steps), then the cost of tracing: bench with and without --trace, alternated, on stories260k and
# on random Llama-3.2-1B weights.
# Usage (repo root on the GPU machine): bash tools/loom-run/trace-check-gpu.sh DIR
#   DIR holds loom-run (or loom-run.xz) and stories260k/. Results: DIR/out/*.json, the three
#   traces also in $OUT (the device tool brings back at most 8 files), printed summary.
set -uo pipefail
dir="$1"
out="$dir/out"
mkdir -p "$out"
started=$(date +%s)
export LD_LIBRARY_PATH="/usr/local/cuda/lib64${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export LOOM_CACHE_DIR="$(mktemp -d /tmp/loom-trace-cache.XXXXXX)"
bin="$dir/loom-run"
if [[ ! -x "$bin" ]]; then
  python3 -c "import lzma,shutil,sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2],'wb'))" \
    "$bin.xz" "$bin" && chmod +x "$bin"
fi
model="$dir/stories260k"
check=tools/loom-run/check-trace.py
elapsed() { echo "($(( $(date +%s) - started )) s)"; }
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader

echo "== generate stories260k --trace $(elapsed)"
timeout 60 "$bin" generate --model "$model" --prompt "Once upon a time" --max-tokens 20 --ignore-eos \
  --backend gpu --trace "$out/trace-generate.json" 2>&1 | tail -3
python3 "$check" "$out/trace-generate.json" --requests 1 --tokens 20 --steps 20 --gpu

echo "== bench stories260k --trace: 8 requests of 40 + 24 tokens, 4 in flight $(elapsed)"
stories=(--model "$model" --backend gpu --num-requests 8 --input-len 40 --output-len 24 --concurrency 4)
timeout 60 "$bin" bench "${stories[@]}" --trace "$out/trace-bench.json" --json "$out/bench-traced.json" \
  > /dev/null 2>&1
python3 "$check" "$out/trace-bench.json" --requests 8 --tokens 192 --gpu

echo "== overhead on stories260k: 32 requests of 40 + 64 tokens, 8 in flight $(elapsed)"
small=(--model "$model" --backend gpu --num-requests 32 --input-len 40 --output-len 64 --concurrency 8)
for i in 1 2 3; do
  timeout 60 "$bin" bench "${small[@]}" --json "$out/small-off-$i.json" > /dev/null 2>&1
  timeout 60 "$bin" bench "${small[@]}" --trace "$out/small-trace.json" --json "$out/small-on-$i.json" \
    > /dev/null 2>&1
done

echo "== Llama-3.2-1B shapes, random weights: 4 requests of 128 + 32 tokens, 4 in flight $(elapsed)"
big=(--model examples/configs/llama-3.2-1b.json --random-weights --backend gpu --ignore-eos
     --num-requests 4 --input-len 128 --output-len 32 --concurrency 4 --max-seqs 16 --max-model-len 512)
timeout 100 "$bin" bench "${big[@]}" --trace "$out/trace-1b.json" --json "$out/big-on-1.json" 2>&1 | tail -2
python3 "$check" "$out/trace-1b.json" --requests 4 --tokens 128 --gpu
for i in 1 2; do
  [[ $(( $(date +%s) - started )) -lt 200 ]] || break
  timeout 45 "$bin" bench "${big[@]}" --json "$out/big-off-$i.json" > /dev/null 2>&1
  timeout 45 "$bin" bench "${big[@]}" --trace "$out/trace-1b-$i.json" --json "$out/big-on-$((i + 1)).json" \
    > /dev/null 2>&1
done

echo "== overhead summary $(elapsed)"
python3 - "$out" <<'PY'
import glob, json, statistics, sys
out = sys.argv[1]
for model in ("small", "big"):
    for mode in ("off", "on"):
        runs = [json.load(open(f)) for f in sorted(glob.glob(f"{out}/{model}-{mode}-*.json"))]
        if not runs:
            continue
        def median(path):
            values = []
            for run in runs:
                value = run
                for key in path:
                    value = value.get(key, {}) if isinstance(value, dict) else {}
                if isinstance(value, (int, float)):
                    values.append(value)
            return statistics.median(values) if values else float("nan")
        print(f"{model:5} trace {mode:3} runs {len(runs)}: output tok/s {median(['output_throughput_tok_s']):9.1f}"
              f"  ITL mean ms {median(['itl', 'mean_ms']):7.3f}  TTFT mean ms {median(['ttft', 'mean_ms']):7.3f}")
PY
[[ -n "${OUT:-}" ]] && cp "$out"/trace-generate.json "$out"/trace-bench.json "$out"/trace-1b.json "$OUT"/
echo "== done $(elapsed)"

#!/usr/bin/env bash
# gpu-final-check.sh: the end-of-session device check in one call — every gpu ctest, the openai-client
# suite against serve --backend gpu (batch-invariant), hf_compare (Loom vs transformers), the --trace
# check on stories260k. Pack first: tools/gpu-pack.sh --build BUILD --dest .gpu-final; put the openai
# wheels in .gpu-final/serve/whl (pip download openai --dest ...) and xz the large binaries (carry limit
# 64 MiB); on the device, from the repo root: bash tools/gpu-final-check.sh .gpu-final
set -u
D="${1:-.gpu-final}"; B=$D/bin
OUT="${OUT:-$D/out}"; mkdir -p "$OUT"
t0=$(date +%s); el() { echo "[$(( $(date +%s) - t0 )) s]"; }
for f in $B/*.xz; do python3 -c "import lzma,shutil,sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2],'wb'))" "$f" "${f%.xz}" && chmod +x "${f%.xz}" && rm "$f"; done
export LD_LIBRARY_PATH="$PWD/$B/lib:/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}"
echo "== gpu-check $(el)"
timeout 400 bash tools/gpu-check.sh $D > $OUT/gpu-check.log 2>&1; echo "gpu-check rc=$?"
grep -E "tests passed|Failed|\*\*\*|Passed|Skipped|Not Run" $OUT/gpu-check.log | cut -c1-160 | head -40
echo "== serve (gpu, batch-invariant) $(el)"
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --target /tmp/site $D/serve/whl/*.whl >/dev/null 2>&1
PYTHONPATH=/tmp/site timeout 120 python3 test/serve/test_serve.py --loom-run $B/loom-run --model $D/shared/models/stories260k \
  --backend gpu --serve-args=--batch-invariant > $OUT/serve-gpu.log 2>&1; echo "serve suite rc=$?"; tail -6 $OUT/serve-gpu.log
echo "== hf_compare $(el)"
timeout 150 python3 test/reference/hf_compare.py --loom-run $B/loom-run --json $OUT/hf.json > $OUT/hf.log 2>&1; echo "hf_compare rc=$?"; tail -14 $OUT/hf.log
echo "== trace $(el)"
export LOOM_CACHE_DIR=$(mktemp -d)
timeout 60 $B/loom-run generate --model $D/shared/models/stories260k --prompt "Once upon a time" --max-tokens 20 --ignore-eos \
  --backend gpu --trace /tmp/trace-generate.json 2>&1 | tail -2
python3 tools/loom-run/check-trace.py /tmp/trace-generate.json --requests 1 --tokens 20 --steps 20 --gpu; echo "trace check rc=$?"
echo "== done $(el)"

#!/usr/bin/env bash
# Builds the reader fuzzers with clang + libFuzzer + ASan/UBSan and runs each for
# SECONDS (default 60). Usage: tools/fuzz.sh [SECONDS] [TARGET...]
# Crashes are written to build-fuzz/crashes/<target>/; reproduce with
#   build-fuzz/<target> build-fuzz/crashes/<target>/crash-*
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
seconds="${1:-60}"
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(SafetensorsFuzzer ConfigFuzzer TokenizerFuzzer TokenizerEncodeFuzzer)
shared="${LOOM_SHARED_DIR:-$(cd "$root/.." && pwd)/shared}"
out="$root/build-fuzz"
cxx="${CXX_FUZZ:-clang++-14}"
flags=(-std=c++20 -O1 -g -fsanitize=fuzzer-no-link,address,undefined
       -fno-sanitize-recover=undefined -DFMT_HEADER_ONLY
       "-DLOOM_SHARED_DIR=\"$shared\"" -I"$root")
mkdir -p "$out/obj"

sources=("$root"/frontend/Readers/*.cpp "$root/runtime/Support/Status.cpp"
         "$root/runtime/Support/Files.cpp")
compile() { # source → object, skipped when the object is newer than the source and headers
  local src="$1" obj="$out/obj/$(basename "${1%.cpp}").o"
  if [ ! -f "$obj" ] || [ -n "$(find "$src" "$root/frontend/Readers" -newer "$obj" -name '*.[ch]*' | head -1)" ]; then
    "$cxx" "${flags[@]}" -c "$src" -o "$obj"
  fi
}
pids=()
for src in "${sources[@]}"; do
  compile "$src" &
  pids+=($!)
  if [ ${#pids[@]} -ge "${FUZZ_JOBS:-2}" ]; then wait "${pids[0]}"; pids=("${pids[@]:1}"); fi
done
for pid in "${pids[@]}"; do wait "$pid"; done
objects=()
for src in "${sources[@]}"; do objects+=("$out/obj/$(basename "${src%.cpp}").o"); done

seed() { # seed corpora from the stories260k files and small hand-made inputs
  mkdir -p "$out/corpus/$1"
  case "$1" in
  ConfigFuzzer) cp "$shared/models/stories260k/config.json" "$out/corpus/$1/stories.json" ;;
  TokenizerFuzzer)
    cp "$shared/models/stories260k/tokenizer.json" "$out/corpus/$1/stories.json"
    python3 - "$out/corpus/$1/bytelevel.json" <<'PY'
import json, sys
vocab = {"<|endoftext|>": 0, "h": 1, "e": 2, "\u0120": 3, "he": 4, "1": 5, "\u010a": 6}
json.dump({"added_tokens": [{"id": 0, "content": "<|endoftext|>", "special": True}],
           "normalizer": {"type": "NFC"},
           "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
               {"type": "Split", "pattern": {"Regex": "\\p{N}{1,3}| ?\\p{L}+|\\s+(?!\\S)|\\s+"},
                "behavior": "Isolated", "invert": False},
               {"type": "Digits", "individual_digits": True},
               {"type": "ByteLevel", "add_prefix_space": False, "use_regex": False}]},
           "post_processor": {"type": "ByteLevel"},
           "decoder": {"type": "ByteLevel"},
           "model": {"type": "BPE", "ignore_merges": True, "vocab": vocab,
                     "merges": [["h", "e"]]}}, open(sys.argv[1], "w"))
PY
    ;;
  TokenizerEncodeFuzzer) printf 'Once upon a time, Lily \xe6\x97\xa5 <s> x' > "$out/corpus/$1/text" ;;
  SafetensorsFuzzer) python3 - "$out/corpus/$1/small.safetensors" <<'PY'
import json, struct, sys
header = json.dumps({"a": {"dtype": "BF16", "shape": [2], "data_offsets": [0, 4]},
                     "b": {"dtype": "F16", "shape": [1, 2], "data_offsets": [4, 8]},
                     "c": {"dtype": "I64", "shape": [], "data_offsets": [8, 16]},
                     "__metadata__": {"format": "pt"}}).encode()
open(sys.argv[1], "wb").write(struct.pack("<Q", len(header)) + header + bytes(range(16)))
PY
  ;;
  esac
}

status=0
for target in "${targets[@]}"; do
  "$cxx" "${flags[@]}" -fsanitize=fuzzer "$root/test/fuzz/$target.cpp" "${objects[@]}" \
    -lpcre2-8 -o "$out/$target"
  seed "$target"
  mkdir -p "$out/crashes/$target"
  echo "== $target: ${seconds}s"
  if ! "$out/$target" "$out/corpus/$target" -max_total_time="$seconds" -max_len=65536 \
       -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
       -artifact_prefix="$out/crashes/$target/" 2>"$out/$target.log"; then
    echo "!! $target failed; see $out/$target.log"; tail -30 "$out/$target.log"; status=1
  else
    grep -E "stat::number_of_executed_units|cov:" "$out/$target.log" | tail -2
  fi
done
exit $status

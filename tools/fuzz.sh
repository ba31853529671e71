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
[ ${#targets[@]} -eq 0 ] && targets=(SafetensorsFuzzer ConfigFuzzer TokenizerFuzzer TokenizerEncodeFuzzer GgufFuzzer)
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
  GgufFuzzer) python3 - "$out/corpus/$1" <<'PY'
import struct, sys
def s(text): b = text.encode(); return struct.pack("<Q", len(b)) + b
def kv(key, kind, payload): return s(key) + struct.pack("<I", kind) + payload
def u32(key, v): return kv(key, 4, struct.pack("<I", v))
def f32(key, v): return kv(key, 6, struct.pack("<f", v))
def text(key, v): return kv(key, 8, s(v))
def strings(key, vs): return kv(key, 9, struct.pack("<IQ", 8, len(vs)) + b"".join(s(v) for v in vs))
def numbers(key, kind, fmt, vs):
    return kv(key, 9, struct.pack("<IQ", kind, len(vs)) + b"".join(struct.pack(fmt, v) for v in vs))
def gguf(meta, tensors):  # tensors: (name, dims fastest-first, ggml type, bytes)
    infos, data = b"", b""
    for name, dims, kind, raw in tensors:
        infos += s(name) + struct.pack("<I", len(dims)) + struct.pack(f"<{len(dims)}Q", *dims)
        infos += struct.pack("<IQ", kind, len(data))
        data += raw + bytes(-len(raw) % 32)
    head = b"GGUF" + struct.pack("<IQQ", 3, len(tensors), len(meta)) + b"".join(meta) + infos
    return head + bytes(-len(head) % 32) + data
GEOMETRY = {0: (1, 4), 1: (1, 2), 30: (1, 2), 2: (32, 18), 3: (32, 20), 8: (32, 34)}
def values(kind, count):  # varied bytes; quantized blocks start with the f16 scale 1.0
    per, size = GEOMETRY[kind]
    blocks = [bytes((b * 7 + i * 13) % 251 for i in range(size)) for b in range(count // per)]
    return b"".join((b"\x00\x3c" + blk[2:]) if per > 1 else blk for blk in blocks)
llama = [text("general.architecture", "llama"), u32("llama.context_length", 64),
         u32("llama.embedding_length", 32), u32("llama.block_count", 1),
         u32("llama.feed_forward_length", 64), u32("llama.attention.head_count", 2),
         u32("llama.attention.head_count_kv", 1),
         f32("llama.attention.layer_norm_rms_epsilon", 1e-5),
         f32("llama.rope.freq_base", 10000.0), u32("tokenizer.ggml.bos_token_id", 1),
         u32("tokenizer.ggml.eos_token_id", 2),
         text("tokenizer.chat_template", "{{ '<|im_start|>system\\nHi<|im_end|>\\n' }}")]
weights = [("token_embd.weight", [32, 8], 8), ("output_norm.weight", [32], 0),
           ("blk.0.attn_q.weight", [32, 32], 2), ("blk.0.attn_k.weight", [32, 16], 3),
           ("blk.0.attn_v.weight", [32, 16], 1), ("blk.0.attn_output.weight", [32, 32], 30),
           ("blk.0.attn_norm.weight", [32], 0), ("blk.0.ffn_norm.weight", [32], 0),
           ("blk.0.ffn_gate.weight", [32, 64], 2), ("blk.0.ffn_up.weight", [32, 64], 3),
           ("blk.0.ffn_down.weight", [64, 32], 8)]
tensors = [(n, d, k, values(k, d[0] * (d[1] if len(d) > 1 else 1))) for n, d, k in weights]
gpt2 = [text("tokenizer.ggml.model", "gpt2"), text("tokenizer.ggml.pre", "smollm"),
        strings("tokenizer.ggml.tokens",
                ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "h", "e", "\u0120", "he", "1"]),
        numbers("tokenizer.ggml.token_type", 5, "<i", [3, 3, 3, 1, 1, 1, 1, 1]),
        strings("tokenizer.ggml.merges", ["h e"])]
spm = [text("tokenizer.ggml.model", "llama"),
       strings("tokenizer.ggml.tokens",
               ["<unk>", "<s>", "</s>", "<0x41>", "\u2581", "a", "\u2581a", "b"]),
       numbers("tokenizer.ggml.scores", 6, "<f", [0, 0, 0, 0, -1, -2, -3, -4]),
       numbers("tokenizer.ggml.token_type", 5, "<i", [2, 3, 3, 6, 1, 1, 1, 1])]
open(sys.argv[1] + "/bytelevel.gguf", "wb").write(gguf(llama + gpt2, tensors))
open(sys.argv[1] + "/sentencepiece.gguf", "wb").write(gguf(llama + spm, tensors))
PY
  ;;
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

#!/usr/bin/env bash
# gpu-pack.sh: copy what the GPU machine needs into a carried folder (default .gpu/, gitignored):
#   bin/        stripped test binaries (gpu-labelled; --all: every test) and tools (loom-jit, ...)
#   bin/tests.tsv  name, binary, labels (;-separated), arguments, pass and skip regular
#                  expressions: gpu-check.sh turns it into a CTestTestfile.cmake there, since the
#                  build tree's absolute paths do not exist
#   shared/     the files under LOOM_SHARED_DIR that test arguments name (e.g. models/stories260k);
#               arguments read them through @SHARED@, which gpu-check.sh resolves
#   kernels/    the small and large .cu files timed by gpu-check.sh
# Usage: tools/gpu-pack.sh [--build DIR] [--dest DIR] [--all] [--tests REGEX]
#   --tests REGEX: only tests whose name matches (e.g. "Package|Linear"); others need not be built
# Then: run `bash tools/gpu-check.sh .gpu` on the GPU machine, carrying .gpu.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$repo/build-rt"
dest="$repo/.gpu"
all=0
tests=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --build) build="$(cd "$2" && pwd)"; shift 2 ;;
    --dest) dest="$2"; shift 2 ;;
    --all) all=1; shift ;;
    --tests) tests="$2"; shift 2 ;;
    *) echo "usage: $0 [--build DIR] [--dest DIR] [--all] [--tests REGEX]" >&2; exit 2 ;;
  esac
done
[[ -d "$build" ]] || { echo "gpu-pack: no build folder $build" >&2; exit 1; }

rm -rf "$dest/bin" "$dest/kernels" "$dest/shared"
mkdir -p "$dest/bin" "$dest/kernels"
shared="$(sed -n 's/^LOOM_SHARED_DIR:[A-Z]*=//p' "$build/CMakeCache.txt")"

# Every registered test with its command and labels, from the build tree's ctest metadata.
ctest --test-dir "$build" --show-only=json-v1 > "$dest/bin/.ctest.json"
python3 - "$dest/bin/.ctest.json" "$all" "$tests" > "$dest/bin/.tests.tsv" <<'PY'
import json, sys
data = json.load(open(sys.argv[1]))
pack_all = sys.argv[2] == "1"
import re
only = re.compile(sys.argv[3]) if sys.argv[3] else None
for test in data.get("tests", []):
    command = test.get("command") or []
    if not command:
        continue
    labels, expected = [], {"PASS_REGULAR_EXPRESSION": "", "SKIP_REGULAR_EXPRESSION": ""}
    for prop in test.get("properties", []):
        if prop.get("name") == "LABELS":
            labels = prop.get("value") or []
        if prop.get("name") in expected:
            # A regex may hold newlines: \x1e stands for them in the tsv, \x1d separates several.
            value = prop.get("value") or []
            value = value if isinstance(value, list) else [value]
            expected[prop["name"]] = "\x1d".join(value).replace("\n", "\x1e")
    if not pack_all and "gpu" not in labels:
        continue
    if only and not only.search(test["name"]):
        continue
    print("\t".join([test["name"], command[0], ";".join(labels), "\x1f".join(command[1:]),
                     expected["PASS_REGULAR_EXPRESSION"], expected["SKIP_REGULAR_EXPRESSION"]]))
PY
rm -f "$dest/bin/.ctest.json"

: > "$dest/bin/tests.tsv"
while IFS=$'\t' read -r name binary labels args pass skip; do
  [[ -x "$binary" ]] || { echo "gpu-pack: $name: $binary is not built" >&2; exit 1; }
  # Tests run by a host tool (lit) need MLIR's Python tooling, which the GPU machine lacks.
  [[ "$binary" == "$build"/* ]] || { echo "gpu-pack: skipping $name (runs $binary)" >&2; continue; }
  base="$(basename "$binary")"
  [[ -e "$dest/bin/$base" ]] || strip --strip-unneeded -o "$dest/bin/$base" "$binary"
  # Arguments under the shared folder travel in the pack (only what is named, e.g. one model).
  if [[ -n "$shared" && "$args" == *"$shared/"* ]]; then
    IFS=$'\x1f' read -r -a arg_list <<< "$args"
    for arg in "${arg_list[@]}"; do
      [[ "$arg" == "$shared/"* && -e "$arg" ]] || continue
      mkdir -p "$dest/shared/$(dirname "${arg#"$shared/"}")"
      cp -r "$arg" "$dest/shared/${arg#"$shared/"}"
    done
    args="${args//"$shared/"/@SHARED@/}"
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$base" "$labels" "$args" "$pass" "$skip" \
    >> "$dest/bin/tests.tsv"
done < "$dest/bin/.tests.tsv"
rm -f "$dest/bin/.tests.tsv"

for tool in loom-jit loom-run loom-opt loomc; do
  # The newest build of the tool (a build folder may hold a stale copy from an older layout).
  found="$(find "$build" -type f -name "$tool" -perm -u+x -printf '%T@ %p\n' 2>/dev/null |
           sort -rn | head -n 1 | cut -d' ' -f2-)"
  [[ -n "$found" ]] && strip --strip-unneeded -o "$dest/bin/$tool" "$found"
done
[[ -x "$dest/bin/loom-jit" ]] || { echo "gpu-pack: loom-jit is not built" >&2; exit 1; }
cp "$repo"/test/gpu/kernels/*.cu "$dest/kernels/"

# Shared libraries from Debian packages the GPU machine lacks travel in bin/lib (gpu-check.sh puts
# it on LD_LIBRARY_PATH): cpp-httplib (loom-run serve) and the brotli libraries it links.
mkdir -p "$dest/bin/lib"
for file in "$dest"/bin/*; do
  [[ -x "$file" && -f "$file" ]] || continue
  ldd "$file" 2>/dev/null | awk '/libcpp-httplib|libbrotli/ {print $3}' | while read -r lib; do
    [[ -e "$dest/bin/lib/$(basename "$lib")" ]] || cp -L "$lib" "$dest/bin/lib/"
  done
done

# The GPU machine has the CUDA toolkit and libc/libstdc++ only: no fmt, GoogleTest or LLVM.
status=0
for file in "$dest"/bin/*; do
  [[ -x "$file" && -f "$file" ]] || continue
  if ldd "$file" 2>/dev/null | grep -Ei 'libfmt|libgtest|libLLVM|libMLIR|libcuda\.so|not found' \
      | grep -v 'libnvrtc'; then
    echo "gpu-pack: $(basename "$file") needs a library the GPU machine lacks (above)" >&2
    status=1
  fi
done
size_kib="$(du -sk "$dest" | cut -f1)"
echo "gpu-pack: $(wc -l < "$dest/bin/tests.tsv") tests, $(ls "$dest/bin" | wc -l) files," \
     "$((size_kib / 1024)) MiB in $dest"
if (( size_kib > 60 * 1024 )); then
  echo "gpu-pack: $dest is over 60 MiB; the carry limit is 64 MiB" >&2
  status=1
fi
exit $status

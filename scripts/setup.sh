#!/usr/bin/env bash
# Installs every build, test and reference dependency of optim-hunter, idempotently.
# Debian 12 packages via apt-get; JavaScript (vega for reports) via npm into third_party/js.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

debs=(
  build-essential cmake ninja-build pkg-config gfortran
  libeigen3-dev liblbfgsb-dev libsvm-dev liblapack-dev libblas-dev
  nlohmann-json3-dev libcli11-dev libfmt-dev libspdlog-dev libsqlite3-dev
  libgtest-dev libgmock-dev libbenchmark-dev libpcre2-dev
  libtorch-dev
  clang libclang-rt-14-dev
  python3 python3-sklearn python3-numpy python3-scipy
  chromium
)
# Node and npm: the machine's own (NodeSource) when present; Debian's otherwise.
command -v npm >/dev/null 2>&1 || debs+=(nodejs npm)
# OH_BENCH_DEPS=1: bench/icl_lsa_step.py's Python PyTorch eager reference (large; not needed to build or test).
if [ "${OH_BENCH_DEPS:-0}" = 1 ]; then debs+=(python3-torch); fi
missing=()
for p in "${debs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Node >= 20 (Debian 12 ships 18): take it from npm when the system's is older.
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then
  npm install -g --silent n && n 20
  hash -r
fi

# Vega, Vega-Lite and vega-embed are embedded into the binary at build time (reports open offline).
js="$here/third_party/js"
lock_hash=$(sha256sum "$js/package-lock.json" | cut -d' ' -f1)
if [ "$(cat "$js/node_modules/.optim-hunter-lock" 2>/dev/null)" != "$lock_hash" ]; then
  # node-llama-cpp (a test reference) uses its prebuilt CPU binaries; never download or build llama.cpp.
  # `npm install` from the lock, not `npm ci`: node-llama-cpp lists macOS/Windows binaries that this
  # registry does not carry, which `npm ci` treats as an out-of-sync lock. --omit=optional skips its
  # CUDA/Vulkan builds (~600 MB); the CPU build is a direct dependency.
  (cd "$js" && NODE_LLAMA_CPP_SKIP_DOWNLOAD=true npm install --omit=optional --no-audit --no-fund --loglevel=error)
  echo "$lock_hash" > "$js/node_modules/.optim-hunter-lock"
fi

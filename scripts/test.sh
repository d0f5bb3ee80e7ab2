#!/usr/bin/env bash
# Sets up, builds with tests, and runs the test suite (the README's second quick-start command).
# Tiers (DESIGN §9): unit and live-reference tests run here; 100-seed sweeps and benchmarks are
# documented acceptance commands (README), not CI steps.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${OH_BUILD_DIR:-$here/build}"
"$here/scripts/setup.sh"
cmake -S "$here" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DOH_BUILD_TESTS=ON
cmake --build "$build"
cd "$build"
ctest --output-on-failure -j "$(nproc)" "$@"

#!/usr/bin/env bash
# Sets up, builds, and runs the main job on built-in defaults (the README's first quick-start
# command): `optim-hunter compare` (friedman2, fair preset, 100 seeds, every regressor), writing
# runs/friedman2-fair/{results.csv,summary.csv,run.json,report.html}. Extra arguments go to compare.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${OH_BUILD_DIR:-$here/build}"
"$here/scripts/setup.sh"
cmake -S "$here" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release
cmake --build "$build" --target optim-hunter
"$build/apps/optim-hunter/optim-hunter" compare "$@"

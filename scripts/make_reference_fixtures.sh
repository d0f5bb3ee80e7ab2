#!/usr/bin/env bash
# Regenerates the stored scikit-learn results that tests/conformance checks optim-hunter against
# on 100 seeds (DESIGN §9: live references on a few seeds in CI, fixtures for the full sweeps).
# Needs Debian's /usr/bin/python3 with python3-sklearn 1.2.1; takes ~10 minutes on 2 cores.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$here/tests/conformance/fixtures"
mkdir -p "$out"
all=$("${OH_BIN:-$here/build/apps/optim-hunter/optim-hunter}" regressors --json |
      /usr/bin/python3 -c 'import json,sys; print(",".join(s["name"] for s in json.load(sys.stdin) if s["in_all"]))')
run() {  # run PRESET DATASET SEQ_LEN
  local file="$out/$1_$2.csv"
  /usr/bin/python3 "$here/bench/sklearn_compare.py" --protocol "$1" --dataset "$2" --seq-len "$3" --batches 100 \
    --regressors "$all" --jobs "$(nproc)" --out "$file"
  gzip -9 -n -f "$file"
  echo "wrote $file.gz" >&2
}
run optim_hunter original2 25
run fair friedman2 25
for d in friedman1 friedman2 friedman3; do run llm4regression "$d" 50; done

#!/bin/sh
# icl command: exit codes and JSON documents. $1 = optim-hunter, $2 = a scratch directory.
set -u
bin=$1
dir=$2
rm -rf "$dir" && mkdir -p "$dir" || exit 1
. "$(dirname "$0")/cli_expect.sh"
expect 2 icl train --layers 0 --out "$dir/r0"
expect 2 icl train --heads 3 --attn-dim 22 --out "$dir/r1"
expect 2 icl train --d -1 --out "$dir/r2"
expect 2 icl train --lr nan --out "$dir/r3"
expect 2 icl train --noise nan --out "$dir/r3"
expect 2 icl train --x-low nan --out "$dir/r3"
expect 2 icl train --teacher-scale inf --out "$dir/r3"
expect 2 icl train --task sine --out "$dir/r4"
expect 2 icl gd --n-context 0
expect 2 icl eval --run "$dir/none"
expect 2 icl train --out "$dir/r5" --bogus
[ ! -e "$dir/r0/checkpoint.pt" ] || fail "a rejected config left a checkpoint"

expect 0 icl gd --json --tasks 2000 --line-search-tasks 2000
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert 4 < d["eta"] < 8 and 0.15 < d["gd_loss"] < 0.3 and d["lsa_vs_gd_max_abs_diff"] < 1e-4, d' "$dir/out" \
  || fail "icl gd --json: $(cat "$dir/out")"

run="$dir/run"
expect 0 icl train --task linear --model lsa --layers 1 --steps 30 --batch 256 --eval-every 10 --eval-tasks 500 --line-search-tasks 500 --seed 3 --out "$run" --json
for f in run.json metrics.jsonl metrics.json checkpoint.pt checkpoint.json; do [ -f "$run/$f" ] || fail "no $f"; done
[ "$(wc -l < "$run/metrics.jsonl")" -eq 4 ] || fail "metrics.jsonl has $(wc -l < "$run/metrics.jsonl") lines, expected 4 (steps 0 10 20 30)"
expect 2 icl eval --run "$run" --tasks 0
expect 0 icl eval --run "$run" --json
python3 -c '
import json, sys
train = json.load(open(sys.argv[1] + "/metrics.json")); ev = json.load(open(sys.argv[2]))
for k in ("eval_loss", "gd_loss", "preds_diff", "model_diff", "model_cos"):
    assert abs(train[k] - ev[k]) <= 1e-12 * max(1, abs(train[k])), (k, train[k], ev[k])
assert ev["step"] == 30
' "$run" "$dir/out" || fail "eval disagrees with the run's final metrics: $(cat "$dir/out")"
expect 2 icl train --layers 2 --steps 30 --batch 256 --out "$run"   # another config in the same DIR
# A diverging run exits 3 and leaves its last good checkpoint marked.
expect 3 icl train --lr 3 --steps 20 --batch 64 --eval-every 5 --eval-tasks 100 --line-search-tasks 100 --out "$dir/diverged"
grep -q '"status":"last_good"' "$dir/diverged/checkpoint.json" || fail "checkpoint not marked last_good: $(cat "$dir/diverged/checkpoint.json")"
echo "icl cli: ok"

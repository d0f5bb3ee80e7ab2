#!/bin/sh
# icl sine and icl few-shot: exit codes, files, JSON. $1 = optim-hunter, $2 = a scratch directory.
set -u
bin=$1
dir=$2
rm -rf "$dir" && mkdir -p "$dir" || exit 1
. "$(dirname "$0")/cli_expect.sh"
expect 2 icl sine --out "$dir/s0" --steps 0
expect 2 icl sine --out "$dir/s1" --features 0
expect 2 icl sine --out "$dir/s2" --lr nan
expect 2 icl sine --out "$dir/s3" --n-context -1
[ ! -e "$dir/s0/metrics.json" ] || fail "a rejected config left metrics"
expect 0 icl sine --out "$dir/sine" --steps 20 --batch 16 --eval-tasks 50 --line-search-tasks 50 --json
python3 -c '
import json, math, sys
m = json.load(open(sys.argv[1] + "/metrics.json")); out = json.load(open(sys.argv[2]))
assert m["eval_loss"] == out["eval_loss"] and m["config"]["steps"] == 20 and m["eval_tasks"] == 50, out
for k in ("eval_loss", "zero_loss", "gd_loss", "gd_eta", "least_squares_loss", "learned_gd_loss", "model_cos"):
    assert math.isfinite(m[k]), k
assert m["train_curve"][-1]["step"] == 19 and m["gd_train_curve"][0]["step"] == 0, m["train_curve"]
' "$dir/sine" "$dir/out" || fail "icl sine metrics: $(cat "$dir/out")"

expect 2 icl few-shot --run "$dir/none"
run="$dir/run"
expect 0 icl train --task dynamics --model mesa --steps 4 --batch 8 --eval-every 2 --eval-tasks 20 --out "$run"
expect 2 icl few-shot --run "$run" --examples 0
expect 2 icl few-shot --run "$run" --tune-lr -1
expect 0 icl few-shot --run "$run" --examples 5 --tasks 40 --tune-steps 3 --json
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
names = {"model", "model_random_eos", "model_tuned_eos", "model_tuned_prefix", "model_tuned_eos_prefix",
         "least_squares_all_pairs", "least_squares_all_pairs_tuned_eos", "least_squares_true_pairs"}
assert set(d["curves"]) == names, d["curves"].keys()
assert all(len(c) == 5 for c in d["curves"].values())
assert d["curves"]["least_squares_all_pairs"][0] == d["curves"]["least_squares_true_pairs"][0]  # no pairs yet: ŷ = 0
' "$dir/out" || fail "icl few-shot --json: $(cat "$dir/out")"
echo "icl few-shot cli: ok"

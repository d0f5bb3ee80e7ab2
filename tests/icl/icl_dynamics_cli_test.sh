#!/bin/sh
# icl train on dynamics tasks and icl probe: exit codes, files, JSON. $1 = optim-hunter, $2 = a scratch directory.
set -u
bin=$1
dir=$2
rm -rf "$dir" && mkdir -p "$dir" || exit 1
. "$(dirname "$0")/cli_expect.sh"
expect 2 icl train --task dynamics --model transformer --out "$dir/r0"
expect 2 icl train --task dynamics --model lsa,bogus --out "$dir/r1"
expect 2 icl train --task dynamics --model hybrid --heads 0 --out "$dir/r2"
expect 2 icl train --task dynamics --shared --out "$dir/r3"
expect 2 icl train --task dynamics-partial --length 1 --out "$dir/r4"
expect 2 icl train --task dynamics --process-noise-var -1 --out "$dir/r5"
expect 2 icl train --task linear --length 20 --out "$dir/r6"
expect 2 icl train --task dynamics --d 3 --out "$dir/r7"
expect 2 icl train --task dynamics --model mesa,lambda=0 --out "$dir/r9"       # a fixed λ must be > 0
expect 2 icl train --task dynamics --model mesa,lambda=nan --out "$dir/r9"
expect 2 icl train --task dynamics --model lsa,lambda=1 --out "$dir/r9"        # no mesa layer to fix
expect 2 icl train --task dynamics --process-noise-var nan --out "$dir/r9"
expect 2 icl train --task dynamics --line-search-tasks 10 --out "$dir/r8"
expect 2 icl probe --run "$dir/none"
[ ! -e "$dir/r0/run.json" ] || fail "a rejected config left a run"

run="$dir/run"
expect 0 icl train --task dynamics-partial --model hybrid --layers 2 --steps 4 --batch 8 --eval-every 2 --eval-tasks 20 --length 12 --out "$run" --json
for f in run.json metrics.jsonl metrics.json checkpoint.pt checkpoint.json; do [ -f "$run/$f" ] || fail "no $f"; done
[ "$(wc -l < "$run/metrics.jsonl")" -eq 3 ] || fail "metrics.jsonl has $(wc -l < "$run/metrics.jsonl") lines, expected 3 (steps 0 2 4)"
python3 -c '
import json, sys
c = json.load(open(sys.argv[1] + "/run.json"))["config"]
assert c["task"] == "dynamics-partial" and c["state_dim"] == 5 and c["hidden_dim"] == 15 and c["length"] == 12, c
assert c["process_noise_var"] == 0.01 and c["observation_noise_var"] == 0.01 and c["observation_var"] == 0.5, c
out = json.load(open(sys.argv[2]))
assert out["step"] == 4 and out["eval_sequences"] == 20 and out["least_squares_late_loss"] > 0, out
' "$run" "$dir/out" || fail "run.json or the train JSON: $(cat "$dir/out")"
expect 2 icl train --task dynamics-partial --model hybrid --layers 2 --steps 4 --out "$run"   # no resume over a run
expect 0 icl probe --run "$run" --sequences 30 --json
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
hooks = {p["hook"] for p in d["probes"]}; targets = {p["target"] for p in d["probes"]}
assert hooks == {"hook_embed", "blocks.0.hook_resid_post", "blocks.1.hook_resid_post"}, hooks
assert targets == {"gd_step", "least_squares", "preconditioned"}, targets  # no W* s_t when partially observed
assert all(p["r2"] <= 1 for p in d["probes"])
' "$dir/out" || fail "icl probe --json: $(cat "$dir/out")"
expect 2 icl probe --run "$run" --sequences 0
echo "icl dynamics cli: ok"

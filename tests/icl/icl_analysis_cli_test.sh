#!/bin/sh
# icl report / icl curve: exit codes, the JSON curve, the report and its CSVs, and the report's
# charts rendered by vega in node (skipped when node is missing).
# $1 optim-hunter, $2 scratch dir, $3 third_party/js, $4 tests/report, $5 node (may be empty).
set -u
bin=$1 dir=$2 js=$3 report_tests=$4 node=${5:-}
rm -rf "$dir" && mkdir -p "$dir" || exit 1
. "$(dirname "$0")/cli_expect.sh"
tiny="--d 4 --n-context 6 --steps 20 --batch 64 --eval-every 10 --eval-tasks 200 --line-search-tasks 200"
expect 0 icl train $tiny --layers 1 --out "$dir/a"
expect 0 icl train $tiny --layers 2 --out "$dir/b"
expect 0 icl train $tiny --layers 1 --eval-seed 9 --out "$dir/c"

expect 2 icl curve --run "$dir/none"
expect 2 icl curve --run "$dir/a" --tasks -1
expect 2 icl report --run "$dir/a" --run "$dir/none" --out "$dir/r.html"
expect 2 icl report --run "$dir/a" --run "$dir/c" --out "$dir/r.html"
expect 2 icl report --run "$dir/a" --out "$dir/r.html" --alphas 1
expect 2 icl report --out "$dir/r.html"
[ ! -e "$dir/r.html" ] || fail "a rejected report left a file"

expect 0 icl curve --run "$dir/b" --max-context 8 --json
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["layers"] == 2 and len(d["points"]) == 8, d
assert [p["n_context"] for p in d["points"]] == list(range(1, 9))
assert all(p["least_squares_loss"] < 1e-10 for p in d["points"] if p["n_context"] >= 4), d
' "$dir/out" || fail "icl curve --json: $(cat "$dir/out")"

expect 0 icl report --run "$dir/a" --run "$dir/b" --max-context 4 --alphas 5 --out "$dir/r.html"
for f in r.html r_training.csv r_products.csv r_interpolation.csv r_layers.csv r_context.csv; do [ -s "$dir/$f" ] || fail "no $f"; done
[ "$(wc -l < "$dir/r_interpolation.csv")" -eq 11 ] || fail "interpolation.csv: expected a header and 5 rows per run (2 runs)"
grep -q 'icl report' "$dir/err" || fail "no progress on stderr"

if [ -z "$node" ]; then echo "node not found: charts not rendered"; exit 0; fi
"$node" "$report_tests/render_specs.mjs" "$js" "$dir/r.html" || fail "the report's charts do not render"
echo ok

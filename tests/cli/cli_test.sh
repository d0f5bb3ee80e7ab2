#!/usr/bin/env bash
# The command line as a user meets it: exit codes and one-line errors for bad input (DESIGN §3),
# --json on stdout, and a run killed with SIGKILL that resumes to the same tables.
# Usage: cli_test.sh PATH/TO/optim-hunter
set -uo pipefail
bin="$1"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0
check() {  # check NAME CONDITION-EXIT-CODE
  if [ "$2" -eq 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: $1"; fi
}

# expect_input_error NAME PATTERN ARGS...: exit 2, exactly one stderr line "optim-hunter: error: ...PATTERN..."
expect_input_error() {
  local name="$1" pattern="$2"
  shift 2
  "$bin" "$@" > "$work/stdout" 2> "$work/stderr"
  local rc=$?
  local lines
  lines=$(wc -l < "$work/stderr")
  [ "$rc" -eq 2 ] && [ "$lines" -eq 1 ] && grep -q "^optim-hunter: error: .*$pattern" "$work/stderr"
  check "$name (rc=$rc, stderr: $(head -c 300 "$work/stderr"))" $?
}

expect_input_error "unknown dataset" "valid: friedman1" compare --dataset nope --out "$work/a"
expect_input_error "unknown regressor" "valid: linear_regression" compare --regressors knn,nope --out "$work/a"
expect_input_error "unknown protocol" "valid: fair, optim_hunter, llm4regression" compare --protocol nope --out "$work/a"
expect_input_error "preset does not cover dataset" "does not cover dataset 'original1'" compare --dataset original1 --protocol optim_hunter --out "$work/a"
expect_input_error "seq_len too large" "seq-len 60 is larger" compare --seq-len 60 --out "$work/a"
expect_input_error "n_test too large" "n-test 40 is larger" compare --dataset original2 --n-test 40 --out "$work/a"
expect_input_error "bad seed list" "invalid seed 'x'" compare --seeds 1,x --out "$work/a"
expect_input_error "constant without value" "needs --constant" compare --regressors constant --out "$work/a"
expect_input_error "unknown option" "see --help" compare --bogus
expect_input_error "unwritable out" "run directory" compare --batches 1 --regressors ridge --out /proc/forbidden/run
expect_input_error "csv without file" "needs --csv" compare --dataset csv --out "$work/a"
printf 'a,y\n1,2\nnan,3\n' > "$work/nan.csv"
expect_input_error "csv with NaN" "non-finite" compare --dataset csv --csv "$work/nan.csv" --out "$work/a"
[ ! -e "$work/a" ]
check "rejected commands write nothing" $?

"$bin" --help > /dev/null
check "--help exits 0" $?
"$bin" compare --help | grep -q -- "--regressors"
check "compare --help lists options" $?

"$bin" compare --batches 3 --regressors ridge,knn,constant --constant 500 --json --out "$work/json" \
  > "$work/out.json" 2> "$work/err.txt"
check "compare --json exits 0" $?
/usr/bin/python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert [m['method'] for m in d['summary']]==['ridge','knn','constant'], d" "$work/out.json"
check "compare --json prints exactly one JSON document" $?

# The csv dataset end to end: a user's file, a named target, split per seed.
/usr/bin/python3 -c 'import random
r = random.Random(3)
print("size,price,rooms")
for _ in range(30):
    a, b = r.uniform(20, 200), r.randint(1, 6)
    print(f"{a:.2f},{3 * a + 10 * b + r.gauss(0, 5):.2f},{b}")' > "$work/houses.csv"
"$bin" compare --dataset csv --csv "$work/houses.csv" --target price --seq-len 10 --n-test 2 --batches 3 \
  --regressors ridge,knn --out "$work/csv" > /dev/null 2>&1
check "compare on a csv file" $?
[ "$(tail -n +2 "$work/csv/results.csv" | grep -c ',ok$')" -eq 12 ]
check "csv run scores 3 seeds x 2 methods x 2 rows" $?

# A run killed mid-way resumes: the rerun reuses what was stored and ends with the same tables.
args=(compare --dataset friedman1 --batches 40 --regressors mlp_uat_3,bagging,ridge --threads 1)
"$bin" "${args[@]}" --out "$work/full" > /dev/null 2>&1
check "uninterrupted run" $?
"$bin" "${args[@]}" --out "$work/killed" > /dev/null 2>&1 &
pid=$!
stored() {  # results committed to the run store so far (0 while it does not exist yet)
  /usr/bin/python3 -c 'import sqlite3,sys
try: print(sqlite3.connect(sys.argv[1]).execute("SELECT COUNT(*) FROM results").fetchone()[0])
except Exception: print(0)' "$work/killed/store.sqlite"
}
for _ in $(seq 1 600); do  # wait until a few results are stored, then kill without warning
  [ "$(stored)" -ge 3 ] && break
  sleep 0.05
done
kill -9 "$pid" 2> /dev/null
wait "$pid" 2> /dev/null
[ ! -e "$work/killed/results.csv" ]
check "a killed run leaves no results.csv to trust" $?
"$bin" "${args[@]}" --out "$work/killed" --json > "$work/resumed.json" 2> /dev/null
check "resumed run exits 0" $?
/usr/bin/python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d['reused']>0 and d['computed']>0, d" "$work/resumed.json"
check "resumed run reuses stored results and computes the rest" $?
cmp -s "$work/full/results.csv" "$work/killed/results.csv"
check "resumed results.csv identical to the uninterrupted run" $?

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

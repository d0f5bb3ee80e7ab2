#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan) and runs each from the checked-in seed corpus
# fuzz/corpus/<target> for FUZZ_RUNS inputs (default 300000) with the fixed seed FUZZ_SEED (default 1),
# capped at FUZZ_SECONDS (default 120): the same inputs on every machine, so a CI result is
# reproducible (FUZZ_SEED=0 picks a random seed for exploratory runs). New inputs go to a fresh
# corpus in the build tree, never into the checked-in one. A crash, sanitizer report, leak, timeout or uncaught exception stops with a
# non-zero exit and leaves the input in $build/artifacts/ (replay: $build/fuzz_<target> FILE).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${OH_FUZZ_BUILD_DIR:-$here/build-fuzz}"
seconds="${FUZZ_SECONDS:-120}"
runs="${FUZZ_RUNS:-300000}"
seed="${FUZZ_SEED:-1}"
targets=(gguf safetensors tokenizer)

cmake -S "$here/fuzz" -B "$build" -G Ninja -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ >/dev/null
cmake --build "$build" --target "${targets[@]/#/fuzz_}"
mkdir -p "$build/artifacts"
for target in "${targets[@]}"; do
  work="$build/corpus/$target"
  rm -rf "$work" && mkdir -p "$work"
  echo "fuzz_$target: $runs inputs (seed $seed, at most ${seconds}s) from fuzz/corpus/$target"
  "$build/fuzz_$target" -seed="$seed" -runs="$runs" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$build/artifacts/$target-" "$work" "$here/fuzz/corpus/$target" 2>"$build/fuzz_$target.log" || {
    tail -n 60 "$build/fuzz_$target.log"
    echo "fuzz_$target failed: see $build/fuzz_$target.log and $build/artifacts/" >&2
    exit 1
  }
  grep -E "^(Done|stat::number_of_executed_units|stat::new_units_added)" "$build/fuzz_$target.log" || true
done

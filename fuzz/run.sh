#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan) and runs each for FUZZ_SECONDS (default 60) from
# the checked-in seed corpus fuzz/corpus/<target>. New inputs go to the build tree, never into the
# checked-in corpus. A crash, sanitizer report, leak, timeout or uncaught exception stops with a
# non-zero exit and leaves the input in $build/artifacts/ (replay: $build/fuzz_<target> FILE).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${OH_FUZZ_BUILD_DIR:-$here/build-fuzz}"
seconds="${FUZZ_SECONDS:-60}"
targets=(gguf safetensors tokenizer)

cmake -S "$here/fuzz" -B "$build" -G Ninja -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ >/dev/null
cmake --build "$build" --target "${targets[@]/#/fuzz_}"
mkdir -p "$build/artifacts"
for target in "${targets[@]}"; do
  work="$build/corpus/$target"
  mkdir -p "$work"
  echo "fuzz_$target: ${seconds}s from fuzz/corpus/$target"
  "$build/fuzz_$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$build/artifacts/$target-" "$work" "$here/fuzz/corpus/$target" 2>"$build/fuzz_$target.log" || {
    tail -n 60 "$build/fuzz_$target.log"
    echo "fuzz_$target failed: see $build/fuzz_$target.log and $build/artifacts/" >&2
    exit 1
  }
  grep -E "^(Done|stat::number_of_executed_units|stat::new_units_added)" "$build/fuzz_$target.log" || true
done

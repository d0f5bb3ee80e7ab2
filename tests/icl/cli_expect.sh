# Sourced by the icl CLI tests after they set $bin (optim-hunter) and $dir (a fresh scratch directory).
fail() { echo "FAILED: $*"; exit 1; }
expect() {  # expect CODE ARGS...: the command exits with CODE and prints one error line when CODE = 2
  code=$1; shift
  "$bin" "$@" > "$dir/out" 2> "$dir/err"; got=$?
  [ "$got" -eq "$code" ] || fail "'$*' exited $got, expected $code: $(cat "$dir/err")"
  if [ "$code" -eq 2 ]; then grep -q '^optim-hunter: error: ' "$dir/err" || fail "'$*': no error line"; fi
}

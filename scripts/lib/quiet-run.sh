# Sourced by the scripts (not run on its own). quiet_run keeps a noisy step's output aside and shows it only when the
# step fails: then the tail of that output, where the whole of it is, and the exact command to rerun. No script
# sends a step's output to /dev/null: a failure must always say why.
#   quiet_run PROG "what the step does" CMD [ARGS...]    (returns the command's exit status)
quiet_run() {
  local prog="$1" what="$2" log rc=0
  shift 2
  log="$(mktemp "${TMPDIR:-/tmp}/$prog.XXXXXX.log")"
  "$@" >"$log" 2>&1 || rc=$?
  if [ "$rc" = 0 ]; then
    rm -f "$log"
    return 0
  fi
  {
    echo "$prog: $what failed (exit $rc); the last 40 lines of its output:"
    tail -n 40 "$log" | sed -e $'s/\x1b\\[[0-9;]*m//g' -e 's/^/  | /'
    echo "$prog: the whole output is in $log; to rerun that step:"
    printf '  (cd %q &&' "$PWD"
    printf ' %q' "$@"
    printf ')\n'
  } >&2
  return "$rc"
}

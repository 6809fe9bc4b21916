# Shared by the tools' CLI test scripts (source it after setting $tmp, a
# scratch directory, and fail=0):
#   check NAME WANT_RC WANT_STDOUT -- command...   runs it, compares exit status and stdout
#   check_err NAME WANT_STDERR                     compares the last check's stderr
check() {
  local name=$1 want_rc=$2 want_out=$3; shift 4
  local out rc
  out=$("$@" 2>"$tmp/err"); rc=$?
  if [ "$rc" != "$want_rc" ] || [ "$out" != "$want_out" ]; then
    echo "FAIL $name: rc=$rc (want $want_rc) out='$out' want '$want_out' err=$(cat "$tmp/err")"; fail=1
  else echo "ok $name"; fi
}
check_err() {
  [ "$(cat "$tmp/err")" = "$2" ] && echo "ok $1 (stderr)" || { echo "FAIL $1 stderr: '$(cat "$tmp/err")' want '$2'"; fail=1; }
}

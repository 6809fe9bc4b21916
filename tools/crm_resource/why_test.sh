#!/bin/bash
# crm_resource --why against the peer's (Debian's pacemaker-cli-utils 2.1.5)
# on every development case (CIB_file): with -r RESOURCE for each resource,
# with -r and -N, with -N alone and with neither, the same output and exit
# code (a sixth of the cases unless WHY_STRIDE=1). Then --explain: its bad input and its output's shape; what it says is
# checked against the scheduler cases in pengine's explain_test.
# usage: why_test.sh BIN_DIR SHARED_DIR
set -u
BIN=$1/crm_resource
CASES=$2/scheduler-cases
PEER=/usr/sbin/crm_resource
KNOWN=$(dirname "$0")/why_known_differences.txt  # "CASE crm_resource ARGS" lines, reasons in comments
fail=0 same=0 total=0 known=0
tmp=$(mktemp -d /tmp/crm_resource_why.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# The sanitizer's leak check at exit costs about half of each run under ASan:
# the first 40 of our runs keep it (the first cases' whole-cluster, node and
# resource queries), the rest of the hundreds skip it; --explain below keeps it.
run() {  # run WHO ARGS... -> $tmp/WHO.out (stdout, stderr, rc)
  local who=$1; shift
  local bin=$BIN
  [ "$who" = peer ] && bin=$PEER
  if [ "$who" = ours ] && [ "$total" -gt 40 ]; then  # total: compare()'s count
    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" "$bin" "$@" >"$tmp/$who.out" 2>"$tmp/$who.err"
  else
    "$bin" "$@" >"$tmp/$who.out" 2>"$tmp/$who.err"
  fi
  echo "rc=$?" >>"$tmp/$who.out"
}
compare() {  # compare CASE ARGS...
  local c=$1; shift
  total=$((total + 1))
  run ours "$@" & run peer "$@"; wait
  if cmp -s "$tmp/ours.out" "$tmp/peer.out"; then
    same=$((same + 1))
  elif grep -qxF "$c crm_resource $*" "$KNOWN"; then
    known=$((known + 1))
  else
    [ $fail -lt ${WHY_SHOW:-20} ] && { echo "FAIL $c: crm_resource $*"; diff "$tmp/peer.out" "$tmp/ours.out" | head -6; }
    fail=$((fail + 1))
  fi
}

if [ -x "$PEER" ] && "$PEER" --version 2>/dev/null | grep -q "^Pacemaker 2"; then
  # Every WHY_STRIDE-th case (default 6: about 45 s under ASan); 1 for all.
  stride=${WHY_STRIDE:-6} case_no=0
  for d in "$CASES"/*/; do
    case_no=$((case_no + 1)); [ $((case_no % stride)) = 0 ] || [ "$stride" = 1 ] || continue
    c=$(basename "$d")
    export CIB_file=$d/input.xml
    ids=$(grep -o '<\(primitive\|group\|clone\|master\) id="[^"]*"' "$CIB_file" | sed 's/.*id="\(.*\)"/\1/')
    nodes=$(sed -n '/<nodes>/,/<\/nodes>/p' "$CIB_file" | grep -o ' uname="[^"]*"' | sed 's/.*="\(.*\)"/\1/')
    first=$(echo "$nodes" | head -1)
    compare "$c" --why
    for n in $nodes; do compare "$c" --why -N "$n"; done
    i=0
    for r in $ids; do
      compare "$c" --why -r "$r"
      # with a node: the first few resources (the same code path for all)
      i=$((i + 1)); [ -n "$first" ] && [ $i -le 3 ] && compare "$c" --why -r "$r" -N "$first"
    done
    compare "$c" --why -r no-such-resource
    compare "$c" --why -r "$(echo "$ids" | head -1)" -N no-such-node
  done
  unset CIB_file
  echo "crm_resource --why: $same of $total the same as the peer's (output and exit code); $known known differences"
  # The known list may only shrink: an entry that now matches is reported.
  grep -v '^#' "$KNOWN" | while read -r c rest; do
    [ -z "$c" ] && continue
    CIB_file=$CASES/$c/input.xml; export CIB_file
    read -r -a args <<< "${rest#crm_resource }"
    run ours "${args[@]}"; run peer "${args[@]}"
    cmp -s "$tmp/ours.out" "$tmp/peer.out" && echo "NOTE: now the same as the peer's, remove from $KNOWN: $c $rest"
  done
else
  echo "the peer's crm_resource is not installed: --why not compared"
fi

# --explain: bad input gets the peer's codes (105 no such object, 102 no cluster).
export CIB_file=$CASES/bug-5028/input.xml
expect() {  # expect NAME RC TEXT ARGS...
  local name=$1 rc=$2 text=$3; shift 3
  "$BIN" "$@" >"$tmp/o" 2>&1
  local got=$?
  if [ $got != "$rc" ] || ! grep -qF -- "$text" "$tmp/o"; then
    echo "FAIL $name: rc=$got (want $rc), want '$text' in:"; cat "$tmp/o"; fail=$((fail + 1))
  else echo "ok $name"; fi
}
expect explain-unknown-resource 105 "Resource 'nosuch' not found" --explain -r nosuch
expect explain-unknown-node 105 "Node 'nosuch' not found" --explain -r dummy01 -N nosuch
expect explain-needs-resource 64 "needs a resource" --explain
expect explain-shape 0 "Decision: " --explain -r dummy-g
expect explain-node-only 0 "  bl460g6a: " --explain -r dummy01 -N bl460g6a
"$BIN" --explain -r dummy01 -N bl460g6a | grep -q "^  bl460g6b:" && { echo "FAIL explain -N shows other nodes"; fail=$((fail + 1)); }
expect explain-instance 0 "Resource " --explain -r dummy01
unset CIB_file
CIB_file= expect explain-no-cluster 102 "Could not connect to the CIB" --explain -r dummy01
CIB_file= expect why-no-cluster 102 "Could not connect to the CIB" --why -r dummy01

[ $fail -eq 0 ] && echo "crm_resource --why/--explain tests passed"
exit $((fail > 0))

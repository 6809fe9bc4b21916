#!/bin/bash
# crmadmin -D/-S against a stand-in controller socket (the shape crmsh's
# wait4dc parses), -N on a CIB_file fixture, exit codes.
# usage: crmadmin_test.sh BIN_DIR SOURCE_DIR
set -u
BIN=$1/crmadmin
SRC=$2
fail=0
tmp=$(mktemp -d /tmp/crmadmin_test.XXXXXX)
fake=""
trap '[ -n "$fake" ] && kill $fake 2>/dev/null; rm -rf "$tmp"' EXIT

. "$SRC/tests/cli/check.sh"

# -N from the CIB (cluster, then guest, then remote nodes, as the peer).
export CIB_file=$SRC/tools/crmadmin/testdata/nodes.xml
check nodes 0 "cluster node: alpha (1)
cluster node: beta (2)
guest node: guest1 (guest1)
remote node: rem1 (rem1)" -- "$BIN" -N
check nodes-quiet 0 "alpha
beta
guest1
rem1" -- "$BIN" -N -q
check nodes-bash 0 "export alpha=1
export beta=2
export guest1=guest1
export rem1=rem1" -- "$BIN" -N -B
check nodes-cluster 0 "cluster node: alpha (1)
cluster node: beta (2)" -- "$BIN" -N cluster
check nodes-guest-remote 0 "guest node: guest1 (guest1)
remote node: rem1 (rem1)" -- "$BIN" -N guest,remote
unset CIB_file

check no-command 64 "" -- "$BIN"
check two-commands 64 "" -- "$BIN" -D -N

# No controller: the peer's 102.
export CRM_RUN_DIR=$tmp/run
mkdir -p "$CRM_RUN_DIR"
check no-controller 102 "" -- "$BIN" -D
grep -q "Could not connect to controller" "$tmp/err" && echo "ok no-controller message" || { echo "FAIL no-controller message: $(cat "$tmp/err")"; fail=1; }

start_fake() {
  [ -n "$fake" ] && kill $fake 2>/dev/null && wait $fake 2>/dev/null
  python3 "$SRC/tools/crm_node/fake_crmd.py" "$CRM_RUN_DIR/crmd.sock" "$1" >"$tmp/fake.out" 2>&1 &
  fake=$!
  for _ in $(seq 50); do grep -q ready "$tmp/fake.out" 2>/dev/null && return; sleep 0.1; done
  echo "FAIL fake controller did not start"; fail=1
}

start_fake '<crmd_status node_id="1" name="n1" state="S_IDLE" dc="1" dc_name="n1" quorate="1"><member id="1" name="n1"/><member id="2" name="n2"/></crmd_status>'
check dc 0 "Designated Controller is: n1" -- "$BIN" -D
check dc-quiet 0 "n1" -- "$BIN" -D -q -t 5000
check status 0 "Controller on n1 in state S_IDLE: ok" -- "$BIN" -S n1
check status-quiet 0 "S_IDLE" -- "$BIN" -S n1 -q
check status-other 105 "" -- "$BIN" -S n9
grep -q "no controller on n9" "$tmp/err" && echo "ok status-other message" || { echo "FAIL status-other message: $(cat "$tmp/err")"; fail=1; }
# crmsh's wait4dc: "Designated" ... DC name last; then S_IDLE.*ok
out=$("$BIN" -D); dc=${out##* }
[[ "$out" == Designated* ]] && "$BIN" -S "$dc" | grep -q "S_IDLE.*ok" && echo "ok wait4dc" || { echo "FAIL wait4dc"; fail=1; }

start_fake '<crmd_status node_id="2" name="n2" state="S_PENDING" dc="0" dc_name="" quorate="0"><member id="2" name="n2"/></crmd_status>'
check no-dc 69 "" -- "$BIN" -D
check status-pending 0 "Controller on n2 in state S_PENDING: ok" -- "$BIN" -S n2
exit $fail

#!/bin/bash
# crm_node on CIB_file fixtures and against a stand-in controller socket.
# usage: crm_node_test.sh BIN_DIR SHARED_DIR
set -u
BIN=$1/crm_node
CASES=$2/scheduler-cases
HERE=$(cd "$(dirname "$0")" && pwd)
fail=0
tmp=$(mktemp -d /tmp/crm_node_test.XXXXXX)
fake=""
trap '[ -n "$fake" ] && kill $fake 2>/dev/null; rm -rf "$tmp"' EXIT

. "$(cd "$(dirname "$0")/../.." && pwd)/tests/cli/check.sh"

A=$CASES/bug-5028/input.xml   # two nodes online, quorum
B=$CASES/bug-cl-5170/input.xml  # TCS-1 offline, no quorum
check list-file 0 "11111111-1111-1111-1111-111111111111 bl460g6a member
22222222-2222-2222-2222-222222222222 bl460g6b member" -- env CIB_file=$A "$BIN" -l
check list-lost 0 "TCS-1 TCS-1 lost
TCS-2 TCS-2 member" -- env CIB_file=$B "$BIN" -l
check partition-file 0 "bl460g6a bl460g6b" -- env CIB_file=$A "$BIN" -p
check quorum-yes 0 "1" -- env CIB_file=$A "$BIN" -q
check quorum-no 106 "0" -- env CIB_file=$B "$BIN" -q
check name-for-id 0 "bl460g6b" -- env CIB_file=$A "$BIN" -N 22222222-2222-2222-2222-222222222222
check name-for-unknown-id 105 "" -- env CIB_file=$A "$BIN" -N 99
check no-command 64 "" -- env CIB_file=$A "$BIN"

# -R: refused for an active node without --force; an offline one goes.
cp $A "$tmp/a.xml"; cp $B "$tmp/b.xml"
check remove-active 107 "" -- env CIB_file="$tmp/a.xml" "$BIN" -R bl460g6b
check remove-active-force 0 "" -- env CIB_file="$tmp/a.xml" "$BIN" -R bl460g6b --force
grep -q 'uname="bl460g6b"' "$tmp/a.xml" && { echo "FAIL remove: bl460g6b still in the CIB"; fail=1; }
grep -q 'uname="bl460g6a"' "$tmp/a.xml" || { echo "FAIL remove: bl460g6a removed too"; fail=1; }
check remove-offline 0 "" -- env CIB_file="$tmp/b.xml" "$BIN" -R TCS-1
check list-after-remove 0 "TCS-2 TCS-2 member" -- env CIB_file="$tmp/b.xml" "$BIN" -l
check remove-unknown 105 "" -- env CIB_file="$tmp/b.xml" "$BIN" -R nosuch

# Live mode: the controller's status socket (a stand-in) answers.
export CRM_RUN_DIR=$tmp/run
mkdir -p "$CRM_RUN_DIR"
python3 "$HERE/fake_crmd.py" "$CRM_RUN_DIR/crmd.sock" \
  '<crmd_status node_id="2" name="n2" state="S_NOT_DC" dc="1" dc_name="n1" quorate="1"><member id="1" name="n1"/><member id="2" name="n2"/><member id="3" name="n3"/></crmd_status>' \
  >"$tmp/fake.out" 2>&1 &
fake=$!
for _ in $(seq 50); do [ -S "$CRM_RUN_DIR/crmd.sock" ] && break; sleep 0.1; done
check live-name 0 "n2" -- "$BIN" -n
check live-id 0 "2" -- "$BIN" -i
check live-quorum 0 "1" -- "$BIN" -q
check live-partition 0 "n1 n2 n3" -- "$BIN" -p
check live-list 0 "1 n1 member
2 n2 member
3 n3 member" -- "$BIN" -l
check live-name-for-id 0 "n3" -- "$BIN" -N 3

[ $fail -eq 0 ] && echo "crm_node tests passed"
exit $fail

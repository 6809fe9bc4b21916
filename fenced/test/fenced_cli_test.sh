#!/bin/sh
# fenced + stonith_admin as processes (ctest fenced_cli, label unit):
#  1. fenced --standalone --no-cib: the peer's standalone cts-fencing steps
#     through stonith_admin (register, list, query, fence, reboot, history,
#     topology, confirm, --last), with their exit codes and output;
#  2. metadata, validate, list-installed (run locally, no daemon);
#  3. with cibd --standalone: fenced follows the CIB (a stonith primitive
#     added, a topology level, a bad device that is reported and skipped,
#     a device removed).
# usage: fenced_cli_test.sh BIN_DIR SOURCE_DIR
set -u
BIN=$1
SRC=$2
T=$(mktemp -d /tmp/crm-fenced-cli-XXXXXX)
export CRM_RUN_DIR=$T/run CRM_STATE_DIR=$T/state CRM_SCHEMA_DIR=$SRC/schemas
export CRM_FENCE_AGENT_DIRS=$SRC/agents/fence:/usr/sbin
mkdir -p "$CRM_RUN_DIR" "$CRM_STATE_DIR"
FENCED_PID= CIBD_PID=
cleanup() {
  [ -n "$FENCED_PID" ] && kill "$FENCED_PID" 2>/dev/null && wait "$FENCED_PID" 2>/dev/null
  [ -n "$CIBD_PID" ] && kill "$CIBD_PID" 2>/dev/null && wait "$CIBD_PID" 2>/dev/null
  rm -rf "$T"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*"
  echo "--- fenced log"; cat "$T/fenced.log" 2>/dev/null
  exit 1
}
SA=$BIN/stonith_admin
# expect RC CMD...: runs stonith_admin, checks the exit code; output in $T/out
expect() {
  want=$1; shift
  "$SA" "$@" > "$T/out" 2>&1
  got=$?
  [ "$got" = "$want" ] || fail "stonith_admin $* exited $got, expected $want: $(cat "$T/out")"
}
has() { grep -q -- "$1" "$T/out" || fail "output lacks '$1': $(cat "$T/out")"; }
hasnt() { ! grep -q -- "$1" "$T/out" || fail "output has '$1': $(cat "$T/out")"; }
logged() { grep -q -- "$1" "$T/fenced.log" || fail "fenced did not log '$1'"; }
wait_for() {  # wait_for SECONDS CMD...
  n=$(( $1 * 10 )); shift
  while [ $n -gt 0 ]; do "$@" && return 0; sleep 0.1; n=$((n - 1)); done
  return 1
}
start_fenced() {
  "$BIN/fenced" --standalone --node-name node1 "$@" >> "$T/fenced.log" 2>&1 &
  FENCED_PID=$!
  wait_for 5 grep -qs "successfully started" "$T/fenced.log" || fail "fenced did not start"
}
stop_fenced() {
  kill "$FENCED_PID"; wait "$FENCED_PID"; rc=$?
  FENCED_PID=
  [ $rc = 0 ] || fail "fenced exited $rc on SIGTERM"
  : > "$T/fenced.log"
}

# --- no daemon --------------------------------------------------------------
expect 102 -L
has "Could not connect to fencer"
expect 64 --bogus
expect 64
expect 0 --help

# --- local agent commands ----------------------------------------------------
expect 0 -M -a fence_crm_test
has '<resource-agent name="fence_crm_test"'
expect 0 -M -a fence_dummy --output-as=xml
has '<metadata><!\[CDATA\[<resource-agent name="fence_dummy"'
has '<resource-agent name="fence_dummy"'
has '<status code="0" message="OK"/>'
expect 105 -M -a fence_missing
expect 0 --validate -a fence_crm_test -o mode=pass
has "Validation of fence_crm_test succeeded"
expect 1 --validate -a fence_crm_test -o mode=bogus
has "Validation of fence_crm_test failed"
has "mode 'bogus' is not pass"
expect 1 --validate -a fence_crm_test -o mode=bogus --output-as=xml
has '<validate agent="fence_crm_test" valid="false">'
has '<output source="stderr">'

expect 0 -I
grep -qx "fence_crm_test" "$T/out" || fail "-I does not list fence_crm_test"
has "fence devices found"

# --- crm_verify reports what the fencer would refuse ---------------------------------
if [ -x "$BIN/crm_verify" ]; then
  cat > "$T/bad-cib.xml" <<'CIB'
<cib epoch="1" num_updates="0" admin_epoch="0" validate-with="pacemaker-3.7">
<configuration><crm_config/><nodes><node id="1" uname="n1"/></nodes>
 <resources>
   <primitive id="fd-bad" class="stonith" type="fence_crm_test">
     <instance_attributes id="i"><nvpair id="i1" name="pcmk_host_map" value="n1-1"/></instance_attributes></primitive>
   <primitive id="fd-ghost" class="stonith" type="fence_nonexistent"/>
 </resources>
 <constraints/>
 <fencing-topology><fencing-level id="l1" index="1" target="n1" devices="fd-missing"/></fencing-topology>
</configuration><status/></cib>
CIB
  "$BIN/crm_verify" -V -x "$T/bad-cib.xml" > "$T/out" 2>&1
  [ $? = 78 ] || fail "crm_verify of a bad fencing configuration: $(cat "$T/out")"
  has "error: fencing: fence device 'fd-bad' (fence_crm_test): pcmk_host_map entry 'n1-1' is not node:port"
  has "error: fencing: fencing-level 'l1' (line 9): names device(s) that do not exist: fd-missing"
  has "warning: fencing: fence agent 'fence_nonexistent' is not installed on this machine"
fi

# --- standalone fencer: the peer's standalone cts-fencing steps -----------------
start_fenced --no-cib
expect 0 -L
has "0 fence devices found"
# standalone_register
expect 0 -R true1 -a fence_crm_test -o mode=pass -o "pcmk_host_list=node3"
expect 0 -Q true1
expect 0 -D true1
expect 105 -Q true1
expect 0 -D true1   # the peer succeeds for an unknown device too
# --list-targets: a static list and map, a dynamic list
expect 0 -R map1 -a fence_crm_test -o "pcmk_host_list=node1 node2" -o "pcmk_host_map=node3:3;node2:2"
expect 0 -s map1
has "node1"
has "node3"
has "3 targets found"
expect 0 -R dyn1 -a fence_crm_test -o "mock_dynamic_hosts=p1,p2 p3"
expect 0 -s dyn1 --output-as=xml
has '<list name="fence targets" count="3">'
expect 105 -s nope
expect 0 -D map1
expect 0 -D dyn1
# standalone_fence_missing_agent
expect 105 -R true1 -a fence_missing -o mode=pass -o "pcmk_host_list=node3"   # the peer accepts it and fails later
has "fence agent 'fence_missing' is not installed"
expect 0 -R true2 -a fence_crm_test -o mode=pass -o "pcmk_host_list=node2"
expect 105 -F node3 -t 5
has "Couldn't fence node3: No such device (no fence device can fence node3)"
expect 0 -F node2 -t 5
# standalone_fence_device_failure_rollover, standalone_list_devices
expect 0 -R false1 -a fence_crm_test -o mode=fail -o "pcmk_host_list=node1 node2 node3"
expect 0 -R true3 -a fence_crm_test -o mode=pass -o "pcmk_host_list=node1 node2 node3"
expect 0 -F node3 -t 5
expect 0 -L
has "3 fence devices found"
expect 0 --output-as=xml -l node1 -V
has '<list name="registered fence devices" count="2">'
has '<item name="device">true3</item>'
has "true3"
hasnt "true2"
# standalone_fence_multi_device_failure
expect 0 -D true3
expect 1 -F node3 -t 2
logged "for host 'node3' with device 'false1' returned: -201"
# standalone_reboot + history
expect 0 -R true4 -a fence_crm_test -o mode=pass -o "pcmk_host_list=node4"
expect 0 -B node4 -t 5
expect 0 --output-as=xml -H node4
has '<list name="fencing history" count="1">'
has 'status="success" .* action="reboot" target="node4"'
# json and html: the same tree (crm/tools/output.h)
expect 0 --output-as=json -H node4
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); h=d["pacemaker-result"]["list"][0]["fence_event"][0]; assert h["target"]=="node4" and h["action"]=="reboot", h' "$T/out" \
  || fail "stonith_admin --output-as=json -H: $(cat "$T/out")"
expect 0 --output-as=html -H node4
has 'target=<b>node4</b>'
expect 64 --output-as=yaml -H node4
has "invalid --output-as 'yaml' (text, xml, json or html)"
expect 0 -H '*'
has "reboot of node4 successful: delegate=node1"
has "off of node3 failed"
expect 0 -h node4
has "Node node4 last fenced at:"
# --tolerance: the reboot of node4 just now answers a second one without running the agent
expect 0 -B node4 -t 5 --tolerance 60
logged "Target node4 was fenced (reboot) less than 60s ago by node1"
expect 0 -H node4
has "1 event found"
expect 0 -h node9
has "Node node9 has never been fenced"
# topology through stonith_admin (cpg_topology_device_fails)
expect 0 -R true5 -a fence_crm_test -o mode=pass -o "pcmk_host_list=node3"
expect 0 -r node3 -i 1 -v false1
expect 0 -r node3 -i 2 -v true5
expect 64 -r node3 -v true5
expect 0 -F node3 -t 5
logged "Total timeout set to 10"
logged "for host 'node3' with device 'true5' returned: 0"
expect 0 -d node3 -i 2
expect 1 -F node3 -t 5
has "Couldn't fence node3: Error occurred (false1: "
# confirm
expect 0 -C node7
expect 0 -H node7
has "off of node7 successful: delegate=a human"
stop_fenced

# --- following the CIB ------------------------------------------------------------
if [ ! -x "$BIN/cibd" ] || [ ! -x "$BIN/cibadmin" ]; then
  echo "ok (cibd/cibadmin not built: CIB following not tested)"
  exit 0
fi
"$BIN/cibd" --standalone > "$T/cibd.log" 2>&1 &
CIBD_PID=$!
wait_for 10 "$BIN/cibadmin" -Q -o nodes > /dev/null 2>&1 || { cat "$T/cibd.log"; fail "cibd did not start"; }
start_fenced
CA=$BIN/cibadmin
"$CA" -C -o resources -X '<primitive id="fd-a" class="stonith" type="fence_crm_test"><instance_attributes id="fd-a-i"><nvpair id="fd-a-1" name="pcmk_host_map" value="node2:2;node3:3"/><nvpair id="fd-a-2" name="mode" value="pass"/></instance_attributes></primitive>' || fail "cibadmin create"
wait_for 5 sh -c "'$SA' -L | grep -q fd-a" || fail "fenced did not pick up fd-a from the CIB"
expect 0 -l node3
grep -qx "fd-a" "$T/out" || fail "-l node3 does not list fd-a"
expect 0 -F node3 -t 5
logged "for host 'node3' with device 'fd-a' returned: 0"
# Bad input: an unknown agent and a broken host map are reported, the rest stands.
"$CA" -C -o resources -X '<primitive id="fd-ghost" class="stonith" type="fence_nonexistent"/>' || fail "cibadmin create ghost"
"$CA" -C -o resources -X '<primitive id="fd-badmap" class="stonith" type="fence_crm_test"><instance_attributes id="fd-b-i"><nvpair id="fd-b-1" name="pcmk_host_map" value="node2-2"/></instance_attributes></primitive>' || fail "cibadmin create badmap"
wait_for 5 grep -q "fd-badmap" "$T/fenced.log" || fail "no error for fd-badmap"
logged "fence device 'fd-ghost' (fence_nonexistent): fence agent 'fence_nonexistent' is not installed"
logged "fence device 'fd-badmap' (fence_crm_test): pcmk_host_map entry 'node2-2' is not node:port"
expect 0 -L
has "1 fence device found"
# A topology level from the CIB naming a missing device: reported, fencing goes on with the next level.
"$CA" -C -o fencing-topology -X '<fencing-level id="fl1" index="1" target="node2" devices="fd-missing"/>' || fail "cibadmin create level 1"
"$CA" -C -o fencing-topology -X '<fencing-level id="fl2" index="2" target="node2" devices="fd-a"/>' || fail "cibadmin create level 2"
wait_for 5 grep -q "names device(s) that do not exist: fd-missing" "$T/fenced.log" || fail "no error for fl1"
expect 0 -F node2 -t 5
logged "No peer can perform 'off' targeting node2 with fd-missing"
logged "for host 'node2' with device 'fd-a' returned: 0"
"$CA" -D -o resources -X '<primitive id="fd-a"/>' || fail "cibadmin delete"
wait_for 5 sh -c "'$SA' -L | grep -q '0 fence devices found'" || fail "fd-a still registered after its removal"
stop_fenced
echo "ok"

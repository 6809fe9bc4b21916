#!/bin/sh
# attrd + attrd_updater, crm_attribute -l reboot / --promotion, crm_master and
# crm_failcount as processes against cibd --standalone and attrd --standalone
# (ctest attrd_cli, label unit): values held by attrd and written to the CIB,
# dampening (300 updates, few CIB changes), deletion, refresh after the CIB
# lost them, private attributes, and the peer's messages and exit codes for
# bad input (no daemon, no name, an unknown attribute, crm_master without a
# resource, -p outside an agent, a node the CIB does not know).
# usage: attrd_cli_test.sh BIN_DIR SOURCE_DIR
set -u
BIN=$1
SRC=$2
T=$(mktemp -d /tmp/crm-attrd-cli-XXXXXX)
export CRM_RUN_DIR=$T/run CRM_STATE_DIR=$T/state CRM_SCHEMA_DIR=$SRC/schemas
mkdir -p "$CRM_RUN_DIR" "$CRM_STATE_DIR"
ATTRD_PID= CIBD_PID=
cleanup() {
  [ -n "$ATTRD_PID" ] && kill "$ATTRD_PID" 2>/dev/null && wait "$ATTRD_PID" 2>/dev/null
  [ -n "$CIBD_PID" ] && kill "$CIBD_PID" 2>/dev/null && wait "$CIBD_PID" 2>/dev/null
  rm -rf "$T"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*"
  echo "--- attrd log"; cat "$T/attrd.log" 2>/dev/null
  exit 1
}
# expect RC CMD...: runs CMD, checks the exit code; stdout+stderr in $T/out
expect() {
  want=$1; shift
  "$@" > "$T/out" 2>&1
  got=$?
  [ "$got" = "$want" ] || fail "$* exited $got, expected $want: $(cat "$T/out")"
}
has() { grep -q -- "$1" "$T/out" || fail "output lacks '$1': $(cat "$T/out")"; }
same() { [ "$(cat "$T/out")" = "$1" ] || fail "output is '$(cat "$T/out")', expected '$1'"; }
wait_for() {  # wait_for SECONDS CMD...
  n=$(( $1 * 10 )); shift
  while [ $n -gt 0 ]; do "$@" && return 0; sleep 0.1; n=$((n - 1)); done
  return 1
}
AU=$BIN/attrd_updater
CA=$BIN/cibadmin
# The value of NAME in node1's status section ("" when absent).
cib_value() {
  "$CA" -Q --xpath "/cib/status/node_state[@id='1']//nvpair[@name='$1']" 2>/dev/null | sed -n 's/.*value="\([^"]*\)".*/\1/p'
}
num_updates() { "$CA" -Q | sed -n '1s/.* num_updates="\([0-9]*\)".*/\1/p'; }

# --- no daemon -----------------------------------------------------------------
expect 102 "$AU" -n foo -Q
has "attrd_updater: Could not connect to attrd"
expect 64 "$AU" -U 5
same "attrd_updater: Command requires --name argument"

"$BIN/cibd" --standalone > "$T/cibd.log" 2>&1 &
CIBD_PID=$!
wait_for 10 "$CA" -Q -o nodes > /dev/null 2>&1 || { cat "$T/cibd.log"; fail "cibd did not start"; }
"$CA" -C -o nodes -X '<node id="1" uname="node1"/>' || fail "cibadmin create node"
"$BIN/attrd" --standalone --node-name node1 > "$T/attrd.log" 2>&1 &
ATTRD_PID=$!
wait_for 5 grep -qs "successfully started" "$T/attrd.log" || fail "attrd did not start"

# --- set, query, write ------------------------------------------------------------
expect 0 "$AU" -n pingd -U 1000
expect 0 "$AU" -n pingd -Q
same 'name="pingd" host="node1" value="1000"'
wait_for 5 sh -c "[ \"\$(\"$CA\" -Q --xpath \"//nvpair[@name='pingd']\" 2>/dev/null | grep -c 1000)\" = 1 ]" ||
  fail "pingd not written to the CIB"
[ "$(cib_value pingd)" = 1000 ] || fail "pingd in the CIB is '$(cib_value pingd)'"
expect 0 "$AU" -n pingd -Q -A
same 'name="pingd" host="node1" value="1000"'
expect 78 "$AU" -n nosuch -Q
same "attrd_updater: Could not query value of nosuch: attribute does not exist"

# --- dampening: 300 updates inside one window --------------------------------------
expect 0 "$AU" -n load -B 0 -d 3s
wait_for 6 sh -c "[ \"\$(\"$CA\" -Q --xpath \"//nvpair[@name='load']\" 2>/dev/null | grep -c 'value=\"0\"')\" = 1 ]" ||
  fail "load=0 not written after its delay"
before=$(num_updates)
t0=$(date +%s%N)
i=1
# Without the sanitizer's leak check at exit (half of each run under ASan):
# the same call is leak-checked above.
while [ $i -le 300 ]; do ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" "$AU" -n load -U $i || fail "update $i"; i=$((i + 1)); done
loop_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
expect 0 "$AU" -n load -Q
same 'name="load" host="node1" value="300"'
wait_for 6 sh -c "[ \"\$(\"$CA\" -Q --xpath \"//nvpair[@name='load']\" 2>/dev/null | grep -c 'value=\"300\"')\" = 1 ]" ||
  fail "load=300 not written"
after=$(num_updates)
changes=$((after - before))
# At most one change per 3 s window the loop spanned (and the last one).
windows=$(( loop_ms / 3000 + 2 ))
echo "300 updates of a dampened attribute in $loop_ms ms: $changes CIB changes (windows spanned: at most $windows)"
[ $changes -le $windows ] || fail "300 dampened updates over $loop_ms ms made $changes CIB changes"

# --- delete, private, refresh --------------------------------------------------------
expect 0 "$AU" -n pingd -D
expect 0 "$AU" -n pingd -Q
same 'name="pingd" host="node1" value=""'
wait_for 5 sh -c "[ -z \"\$(\"$CA\" -Q --xpath \"//nvpair[@name='pingd']\" 2>/dev/null)\" ]" || fail "pingd not deleted from the CIB"
expect 0 "$AU" -n secret -U s3 -p
expect 0 "$AU" -n secret -Q
same 'name="secret" host="node1" value="s3"'
sleep 0.5
[ -z "$(cib_value secret)" ] || fail "a private attribute reached the CIB"
"$CA" -D --xpath "//nvpair[@name='load']" > /dev/null 2>&1 || fail "cibadmin delete load"
expect 0 "$AU" -R
wait_for 5 sh -c "[ -n \"\$(\"$CA\" -Q --xpath \"//nvpair[@name='load']\" 2>/dev/null)\" ]" || fail "-R did not write load again"

# --- an unknown node: held, not written (the peer's answer: exit 0) -----------------------
expect 0 "$AU" -n x -U 1 -N nosuch
expect 0 "$AU" -n x -Q -N nosuch
same 'name="x" host="nosuch" value="1"'
grep -q "cannot write the attributes of nosuch" "$T/attrd.log" || fail "attrd did not say why nosuch is not written"
# The peer's attrd takes fail counts from anyone; ours leaves them to the
# controller, which writes them with the operation's result.
expect 2 "$AU" -n fail-count-web#start_0 -U 1
has "fail counts are recorded by the controller"

# --- crm_attribute -l reboot, --promotion, crm_master ------------------------------------
CRMA=$BIN/crm_attribute
expect 0 "$CRMA" -N node1 -l reboot -n standby -v on
wait_for 5 sh -c "[ \"\$(\"$CA\" -Q --xpath \"//nvpair[@name='standby']\" 2>/dev/null | grep -c 'value=\"on\"')\" = 1 ]" ||
  fail "crm_attribute -l reboot did not reach the CIB"
expect 0 "$AU" -n standby -Q
same 'name="standby" host="node1" value="on"' # through attrd: attrd holds it
expect 0 "$CRMA" -N node1 -l reboot -n standby -G
same "scope=status  name=standby value=on"
expect 0 "$CRMA" -N node1 -l reboot -n standby -D
expect 0 "$AU" -n standby -Q
same 'name="standby" host="node1" value=""'
expect 64 env -u OCF_RESOURCE_INSTANCE "$CRMA" -p -v 10 -N node1
same "crm_attribute: -p/--promotion must be called from an OCF resource agent or with a resource ID specified"
expect 0 env OCF_RESOURCE_INSTANCE=db OCF_RESKEY_CRM_meta_on_node=node1 "$CRMA" -p -v 10
expect 0 "$AU" -n master-db -Q
same 'name="master-db" host="node1" value="10"'
expect 0 env OCF_RESOURCE_INSTANCE=db OCF_RESKEY_CRM_meta_on_node=node1 "$BIN/crm_master" -l reboot -v 20
expect 0 "$AU" -n master-db -Q
same 'name="master-db" host="node1" value="20"'
# A score that is no number: accepted and held, as the peer's crm_attribute
# and attrd take it (the scheduler reads it as 0, as the peer's char2score).
expect 0 "$CRMA" -p db -v abc -N node1
expect 0 "$AU" -n master-db -Q
same 'name="master-db" host="node1" value="abc"'
expect 1 env -u OCF_RESOURCE_INSTANCE "$BIN/crm_master" -l reboot -v 5
has "error: No resource specified"
expect 0 env OCF_RESOURCE_INSTANCE=db "$BIN/crm_master" -N node1 -v 7
wait_for 5 sh -c "\"$CA\" -Q -o nodes | grep -q 'name=\"master-db\" value=\"7\"'" || fail "crm_master without -l did not write the nodes section"
expect 105 "$CRMA" -N nosuch -l reboot -n foo -v 1
has "Could not map name=nosuch to a UUID"

# --- crm_failcount --------------------------------------------------------------------
"$CA" -M -c -o status -X '<node_state id="1" uname="node1"><transient_attributes id="1"><instance_attributes id="status-1"><nvpair id="fc1" name="fail-count-web#monitor_10000" value="2"/><nvpair id="fc2" name="fail-count-web#start_0" value="1"/></instance_attributes></transient_attributes></node_state>' || fail "cibadmin fail counts"
expect 0 "$BIN/crm_failcount" -G -r web -N node1
same "scope=status  name=fail-count-web value=3"
expect 0 "$BIN/crm_failcount" -G -r web -N node1 -n monitor -I 10s -q
same "2"
expect 64 "$BIN/crm_failcount" -G -N node1
has "error: resource name required"
echo ok

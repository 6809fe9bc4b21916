#!/bin/bash
# e2e: the fencer on 3 lab nodes with real corosync (corosync + crm-launcherd
# -> cibd, lrmd, fenced, crmd). Devices come from the CIB (Debian's fence_dummy
# with a status file per target); fencing asked on one node runs on a fencer
# other than the target; every node's fencer records the same history; a
# device registered on one fencer only is run there when another fencer asks;
# an isolated node is fenced by the majority and learns of it after the heal;
# a respawned fencer gets the history back from its peers.
# The nodes run no controller: this is the fencers' own protocol, and a
# controller told its live node was fenced leaves the cluster
# (fence-reaction, e2e_cluster_fence_reaction), which fence_dummy's
# fencing of live nodes here would trigger.
. "$(dirname "$0")/e2e-lib.sh"
. "$(dirname "$0")/cluster-lib.sh"
[ -x /usr/sbin/fence_dummy ] || e2e_skip "fence_dummy (fence-agents) not installed"
for b in fenced stonith_admin; do [ -x "${CRM_BIN_DIR:-}/$b" ] || e2e_skip "no $b in CRM_BIN_DIR"; done
cluster_begin fenc 3 --daemons "cibd lrmd fenced"
NODES="1 2 3"
sa() { local k=$1; shift; ( node_exec "$k" "$CLUSTER_BIN/stonith_admin" "$@" ); }
fencers_up() { local k; for k in $NODES; do sa "$k" -L >/dev/null 2>&1 || return 1; done; }
wait_until 30 fencers_up || e2e_fail "fenced is not answering on every node"
e2e_note "fenced answers on n1, n2, n3"

S=$LAB_ROOT/fence
mkdir -p "$S"
for t in 2 3; do
    printf on > "$S/n$t.status"  # fence_dummy compares the whole file with "on"/"off"
    cib_do 1 -C -o resources -X "<primitive id=\"fd-n$t\" class=\"stonith\" type=\"fence_dummy\"><instance_attributes id=\"fd-n$t-i\"><nvpair id=\"fd-n$t-1\" name=\"type\" value=\"file\"/><nvpair id=\"fd-n$t-2\" name=\"status_file\" value=\"$S/n$t.status\"/><nvpair id=\"fd-n$t-3\" name=\"pcmk_host_list\" value=\"n$t\"/></instance_attributes></primitive>" \
        || e2e_fail "cibadmin refused fd-n$t"
done
registered() { local k; for k in $NODES; do sa "$k" -L 2>/dev/null | matches "2 fence devices found" || return 1; done; }
wait_until 20 registered || e2e_fail "the CIB's devices are not registered everywhere: $(for k in $NODES; do sa "$k" -L; done)"
e2e_note "every fencer registered fd-n2 and fd-n3 from the CIB"

out=$(sa 1 -l n3) || e2e_fail "stonith_admin -l n3 failed"
echo "$out" | matches "1 fence device found" || e2e_fail "-l n3: $out"
t0=$(date +%s%N)
sa 1 -F n3 -t 20 || e2e_fail "fencing n3 from n1 failed: $(grep fenced "$LAB_ROOT"/n*/launcher.log | tail -20)"
e2e_note "n3 fenced (off) in $(( ($(date +%s%N) - t0) / 1000000 )) ms"
[ "$(cat "$S/n3.status")" = off ] || e2e_fail "fence_dummy's status file for n3 says $(cat "$S/n3.status")"
same_history() {
    local k h first=""
    for k in $NODES; do
        h=$(sa "$k" --output-as=xml -H '*' | grep '<fence_event') || return 1
        [ -z "$first" ] && first=$h
        [ "$h" = "$first" ] || return 1
    done
    echo "$first" | matches 'status="success".*action="off" target="n3"'
}
wait_until 10 same_history || e2e_fail "histories differ: $(for k in $NODES; do sa "$k" -H '*'; done)"
sa 2 --output-as=xml -H n3 | matches 'delegate="n3"' && e2e_fail "n3 fenced itself though others could"
e2e_note "the same history on every node: $(sa 2 -H n3 | head -1)"

# A device only n2's fencer holds: asked from n3, run by n2.
printf on > "$S/n1.status"
sa 2 -R only-n2 -a fence_dummy -o type=file -o "status_file=$S/n1.status" -o pcmk_host_list=n1 || e2e_fail "register on n2"
sa 3 -B n1 -t 20 || e2e_fail "rebooting n1 from n3 failed"
sa 1 --output-as=xml -H n1 | matches 'delegate="n2"' || e2e_fail "the reboot of n1 was not run by n2: $(sa 1 -H n1)"
e2e_note "a device registered on n2 only was run by n2 for a request on n3"

# An isolated node is fenced by the majority; after the heal it learns of it.
printf on > "$S/n3.status"
"$LAB/partition.sh" split 1,2 3 >/dev/null
sleep 3  # corosync notices the split (1 s token)
sa 2 -B n3 -t 20 || e2e_fail "the majority could not fence the isolated n3"
[ "$(cat "$S/n3.status")" = on ] || [ "$(cat "$S/n3.status")" = off ] || e2e_fail "status file: $(cat "$S/n3.status")"
sa 3 -H n3 | matches "reboot of n3" && e2e_fail "n3 saw the reboot while isolated"
"$LAB/partition.sh" heal >/dev/null
healed_history() { sa 3 -H n3 2>/dev/null | grep -Eq "reboot of n3 successful: delegate=n[12],"; }
wait_until 20 healed_history || e2e_fail "n3 did not get the history after the heal: $(sa 3 -H n3)"
e2e_note "isolated n3 fenced (reboot) by the majority for a request on n2; after the heal n3's fencer has it: $(sa 3 -H n3 | grep reboot)"

# A respawned fencer gets the history from its peers.
pid=$(ps -o pid=,comm= -p "$(node_pids 3 | tr '\n' ',' | sed 's/,$//')" | awk '$2=="fenced"{print $1}')
[ -n "$pid" ] || e2e_fail "no fenced process on n3"
kill -KILL "$pid"
history_on() { sa "$1" --output-as=xml -H '*' 2>/dev/null | grep '<fence_event'; }
respawned_with_history() { local want; want=$(history_on 1); [ -n "$want" ] && [ "$(history_on 3)" = "$want" ]; }
wait_until 20 respawned_with_history || e2e_fail "n3's new fencer did not get the history: $(sa 3 -H '*') (n1: $(sa 1 -H '*'))"
e2e_note "n3's fenced (pid $pid killed) was respawned and got the history back"
cluster_end
echo PASS

#!/bin/bash
# e2e (issue 10, must-shows 4, 5, 6) on 3 lab nodes with stonith-enabled=true
# and one fence_ipmilan device per node (through the node's lab BMC):
#  5. a stop that fails (ocf:crm:Dummy's fail_stop): the node is fenced, then
#     the resource runs elsewhere;
#  6. the DC hangs (SIGSTOP): the next DC fences it before recovering, and the
#     fence history is the same on every surviving node;
#  4. a device whose agent fails (fence_dummy type=fail, the only topology
#     level of n3): nothing is recovered, fencing is retried (with backoff),
#     the failures are in the history; a second level with the working
#     device is added and the next retry fences n3, then recovery follows.
. "$(dirname "$0")/e2e-lib.sh"
. "$(dirname "$0")/cluster-lib.sh"
need_lab_fencing
command -v fence_dummy >/dev/null || e2e_skip "fence_dummy (fence-agents) not installed"
cluster_begin cfr 3
NODES="1 2 3"
VIP=${LAB_SUBNET}.100
sa() { local k=$1; shift; ( node_exec "$k" "$CLUSTER_BIN/stonith_admin" "$@" ) 2>&1; }
svc_nodes() { dummy_nodes svc "$1"; }
wait_svc_on() {  # wait_svc_on NODE SECONDS: svc runs on NODE and nowhere else
    local want=$1 limit=$2 deadline
    deadline=$(( $(date +%s) + limit ))
    while [ "$(svc_nodes "$NODES")" != "$want" ]; do
        [ "$(date +%s)" -ge "$deadline" ] && return 1
        sleep 0.2
    done
}
dc=$(wait_one_dc 3 60) || e2e_fail "no single DC"
[ "$dc" = 1 ] || e2e_fail "expected n1 as the DC, got n$dc"
svc='<primitive id="svc" class="ocf" provider="crm" type="Dummy"><instance_attributes id="svc-ia"><nvpair id="svc-state" name="state" value="/run/resource-agents/Dummy-svc.state"/><nvpair id="svc-fail" name="fail_stop" value="/run/svc.fail-stop"/></instance_attributes><operations><op id="svc-mon" name="monitor" interval="10s"/></operations></primitive>'
FENCING=1 STONITH_ACTION=reboot configure_web_group 1 "$VIP" '<rsc_location id="web-prefers-n2" rsc="web" node="n2" score="50"/>' || e2e_fail "group refused"
cib_do 1 -M -c -o configuration -X "<configuration><resources>$svc</resources><constraints><rsc_location id=\"svc-prefers-n3\" rsc=\"svc\" node=\"n3\" score=\"50\"/></constraints></configuration>" \
    || e2e_fail "configuration refused"
wait_svc_on 3 60 || e2e_fail "svc not on n3: [$(svc_nodes "$NODES")]"
e2e_note "svc runs on n3, group web on n2, DC n1, stonith-enabled=true"

# ---- 5. a failed stop ---------------------------------------------------------
( node_exec 3 touch /run/svc.fail-stop )
cib_do 1 -M -c -o constraints -X '<constraints><rsc_location id="svc-prefers-n3" rsc="svc" node="n3" score="-INFINITY"/></constraints>' || e2e_fail "ban refused"
t0=$(date +%s.%N)
e2e_note "svc banned from n3, whose stop of svc fails"
deadline=$(( $(date +%s) + 60 ))
while :; do
    where=$(svc_nodes "1 2")
    [ -n "$where" ] && [ "$(echo "$where" | wc -w)" = 1 ] && break
    [ "$(date +%s)" -ge "$deadline" ] && e2e_fail "svc never ran elsewhere: [$(svc_nodes "$NODES")]"
    sleep 0.2
done
e2e_note "svc runs on n$where, $(ms_since "$t0") ms after the ban"
dclog=$LAB_ROOT/n1/launcher.log
grep -q "svc_stop_0 on n3 failed" "$dclog" || e2e_fail "the DC did not see svc's stop fail on n3"
fenced_at=$(grep "fencing of n3 confirmed" "$dclog" | tail -1 | awk '{print $3}')
started_at=$(grep "result svc_start_0" "$LAB_ROOT/n$where/launcher.log" | tail -1 | awk '{print $3}')
[ -n "$fenced_at" ] || e2e_fail "n3 was not fenced after its failed stop"
awk -v f="$fenced_at" -v s="$started_at" 'BEGIN { exit !(f < s) }' || e2e_fail "svc started at $started_at, before n3's fencing was confirmed at $fenced_at"
e2e_note "the failed stop fenced n3 (confirmed $fenced_at) before svc started on n$where ($started_at)"
wait_one_dc 3 90 >/dev/null || e2e_fail "n3 did not rejoin after its reboot"
e2e_note "n3 rebooted and rejoined"

# ---- 6. the DC hangs --------------------------------------------------------------
# stonith-action=off from here: a fenced node stays off (as after a reboot it
# would come back and, preferred, take svc back before we could look), and
# is powered on again through its BMC.
cib_do 1 -M -c -o crm_config -X '<crm_config><cluster_property_set id="cib-bootstrap-options"><nvpair id="opt-stonith-action" name="stonith-action" value="off"/></cluster_property_set></crm_config>' || e2e_fail "stonith-action refused"
cib_do 1 -D -o constraints -X '<rsc_location id="svc-prefers-n3"/>' || true
cib_do 1 -M -c -o constraints -X '<constraints><rsc_location id="svc-prefers-n1" rsc="svc" node="n1" score="500"/></constraints>' || e2e_fail "constraint refused"
wait_svc_on 1 60 || e2e_fail "svc not on n1: [$(svc_nodes "$NODES")]"
"$LAB/kill-node.sh" 1 --signal STOP >/dev/null
t0=$(date +%s.%N)
e2e_note "SIGSTOP of the DC n1 (running svc)"
deadline=$(( $(date +%s) + 90 ))
while :; do
    where=$(svc_nodes "2 3")
    [ -n "$where" ] && [ "$(echo "$where" | wc -w)" = 1 ] && break
    [ "$(date +%s)" -ge "$deadline" ] && e2e_fail "svc never recovered from the hung DC: [$(svc_nodes "$NODES")]"
    sleep 0.2
done
e2e_note "svc runs on n$where, $(ms_since "$t0") ms after the DC hung"
newdc=$(grep -l "fencing of n1 confirmed" "$LAB_ROOT"/n2/launcher.log "$LAB_ROOT"/n3/launcher.log | head -1)
[ -n "$newdc" ] || e2e_fail "no survivor logged the fencing of n1"
h2=$(sa 2 --history n1 | grep -i "n1" | sort); h3=$(sa 3 --history n1 | grep -i "n1" | sort)
[ -n "$h2" ] && [ "$h2" = "$h3" ] || e2e_fail "the survivors' fence histories differ: n2 [$h2] n3 [$h3]"
e2e_note "the new DC fenced n1; n2 and n3 have the same fence history: $(echo "$h2" | head -1)"
[ "$(cat "$LAB_ROOT/b1/power")" = 0 ] || e2e_fail "n1's BMC does not show it powered off"
power_on 2 1 || e2e_fail "could not power n1 on through its BMC"
wait_one_dc 3 90 >/dev/null || e2e_fail "n1 did not rejoin after being powered on"
dc=$(wait_one_dc 3 30)

# ---- 4. a failing device, then a second topology level ---------------------------------
bad='<primitive id="fence-n3-bad" class="stonith" type="fence_dummy"><instance_attributes id="fence-n3-bad-ia"><nvpair id="fence-n3-bad-type" name="type" value="fail"/><nvpair id="fence-n3-bad-timeout" name="power_timeout" value="2"/><nvpair id="fence-n3-bad-hosts" name="pcmk_host_list" value="n3"/><nvpair id="fence-n3-bad-arg" name="pcmk_host_argument" value="none"/></instance_attributes></primitive>'
cib_do "$dc" -M -c -o configuration -X "<configuration><resources>$bad</resources><fencing-topology><fencing-level id=\"n3-1\" target=\"n3\" index=\"1\" devices=\"fence-n3-bad\"/></fencing-topology></configuration>" \
    || e2e_fail "bad device refused"
cib_do "$dc" -D -o constraints -X '<rsc_location id="svc-prefers-n1"/>' || true
cib_do "$dc" -M -c -o constraints -X '<constraints><rsc_location id="svc-prefers-n3-again" rsc="svc" node="n3" score="500"/></constraints>' || e2e_fail "constraint refused"
( node_exec 3 rm -f /run/svc.fail-stop ) || true
wait_svc_on 3 60 || e2e_fail "svc not on n3: [$(svc_nodes "$NODES")]"
"$LAB/kill-node.sh" 3 --signal STOP >/dev/null
e2e_note "n3's only topology level is a failing device; SIGSTOP of n3 (running svc)"
sleep 20
[ -z "$(svc_nodes "1 2")" ] || e2e_fail "svc recovered although n3 was never fenced: [$(svc_nodes "$NODES")]"
dclog=$LAB_ROOT/n$dc/launcher.log
fails=$(grep -c "fencing of n3 failed" "$dclog" || true)
[ "$fails" -ge 2 ] || e2e_fail "fencing of n3 was not retried ($fails failures logged)"
grep -q "retrying in 2000 ms" "$dclog" || e2e_fail "no backoff in the DC's retries"
failed_hist=$(sa "$dc" --history n3 | grep -ci "failed" || true)
[ "$failed_hist" -ge 1 ] || e2e_fail "the fence history does not show the failed fencing of n3"
e2e_note "20 s: svc not recovered, $fails failed fencing attempts (backoff), $failed_hist failed entries in the history"
mon=$( ( node_exec "$dc" "$CLUSTER_BIN/crm_mon" -1 ) 2>&1)
echo "$mon" | grep -A1 "^Failed Fencing Actions:" | matches "of n3 failed" || e2e_fail "crm_mon does not show the failed fencing of n3: $mon"
monx=$( ( node_exec "$dc" "$CLUSTER_BIN/crm_mon" --output-as=xml ) 2>&1)
[ "$(echo "$monx" | xmllint --xpath "count(//fence_history/fence_event[@target='n3' and @status='failed'])" -)" -ge 1 ] \
    || e2e_fail "crm_mon's XML has no failed fence_event for n3"
e2e_note "crm_mon -1 shows it: $(echo "$mon" | grep -A1 '^Failed Fencing Actions:' | tail -1)"
cib_do "$dc" -M -c -o configuration -X '<configuration><fencing-topology><fencing-level id="n3-2" target="n3" index="2" devices="fence-n3"/></fencing-topology></configuration>' \
    || e2e_fail "second level refused"
e2e_note "second level (fence_ipmilan) added"
deadline=$(( $(date +%s) + 90 ))
while :; do
    where=$(svc_nodes "1 2")
    [ -n "$where" ] && [ "$(echo "$where" | wc -w)" = 1 ] && break
    [ "$(date +%s)" -ge "$deadline" ] && e2e_fail "svc never recovered after the second level: [$(svc_nodes "$NODES")]"
    sleep 0.2
done
grep -q "fencing of n3 confirmed" <(tail -n 200 "$dclog") || e2e_fail "no confirmed fencing of n3 before the recovery"
e2e_note "n3 fenced through level 2; svc runs on n$where"
power_on "$where" 3 || e2e_fail "could not power n3 on through its BMC"
wait_one_dc 3 90 >/dev/null || e2e_fail "n3 did not rejoin after being powered on"
e2e_note "n3 powered on through its BMC and rejoined"
cluster_end
echo PASS

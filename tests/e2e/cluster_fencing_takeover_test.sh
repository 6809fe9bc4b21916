#!/bin/bash
# e2e (issue 10): the DC dies while it fences a node, and the new DC completes
# that fencing before it recovers anything. 3 lab nodes, stonith-enabled=true,
# one fence_ipmilan device per node. The group runs on n3; fence-n3 may run on
# n2 only (so n2's fencer executes n3's fencing) and waits 6 s before the
# agent (pcmk_delay_base), long enough to power off the DC meanwhile.
#   SIGSTOP of n3 -> the DC n1 asks its fencer to fence n3 -> n2 runs the
#   device (in its delay) -> n1 loses power -> n2 keeps the operation pending,
#   becomes DC, fences n1 and asks for n3's fencing, which is answered by the
#   operation n1 started (fence_ipmilan powers n3 off once) -> the group
#   starts on n2, only after both fencings are confirmed.
# no-quorum-policy=ignore: with n1 and n3 gone n2 is alone (a 3-node cluster
# would otherwise stop at quorum loss; the takeover is what is tested here).
. "$(dirname "$0")/e2e-lib.sh"
. "$(dirname "$0")/cluster-lib.sh"
need_lab_fencing
cluster_begin cft 3
NODES="1 2 3"
VIP=${LAB_SUBNET}.100

dc=$(wait_one_dc 3 60) || e2e_fail "no single DC"
[ "$dc" = 1 ] || e2e_fail "n$dc is the DC; this test wants n1 (the lowest id) as DC"
FENCING=1 configure_web_group 1 "$VIP" '<rsc_location id="web-prefers-n3" rsc="web" node="n3" score="50"/><rsc_location id="fence-n3-not-n1" rsc="fence-n3" node="n1" score="-INFINITY"/>' \
    || e2e_fail "configuration refused"
cib_do 1 -M -c -o resources -X '<primitive id="fence-n3"><instance_attributes id="fence-n3-ia"><nvpair id="fence-n3-delay" name="pcmk_delay_base" value="6s"/></instance_attributes></primitive>' \
    || e2e_fail "pcmk_delay_base refused"
cib_do 1 -M -c -o crm_config -X '<crm_config><cluster_property_set id="cib-bootstrap-options"><nvpair id="opt-nqp" name="no-quorum-policy" value="ignore"/></cluster_property_set></crm_config>' \
    || e2e_fail "no-quorum-policy refused"
on=$(wait_running_once "$VIP" app 60 "$NODES") || e2e_fail "group not running once: $(where_is "$VIP" app "$NODES")"
[ "$on" = 3 ] || e2e_fail "group runs on n$on, not on n3 as preferred"
sa() { local k=$1; shift; ( node_exec "$k" "$CLUSTER_BIN/stonith_admin" "$@" ) 2>&1; }
# fence-n3 is registered on n2 only (n3 never fences itself, n1 is banned).
n1_without_fence_n3() { ! sa 1 --list-registered | matches fence-n3; }
wait_until 30 n1_without_fence_n3 || e2e_fail "n1's fencer still holds fence-n3: $(sa 1 --list-registered)"

start_sampler "$VIP" app "$NODES"

ts=$("$LAB/kill-node.sh" 3 --signal STOP | sed -n 's/^KILL_TS=//p')
e2e_note "SIGSTOP of every process of n3 (running the group)"
deadline=$(( $(date +%s) + 30 ))
until grep -q "Requesting that n2 perform 'off' action targeting n3" "$LAB_ROOT/n1/launcher.log"; do
    [ "$(date +%s)" -ge "$deadline" ] && e2e_fail "the DC n1 never asked n2 to fence n3"
    sleep 0.1
done
"$LAB/kill-node.sh" 1 >/dev/null
e2e_note "n1 (the DC) lost power $(ms_since "$ts") ms after the SIGSTOP, while n2 runs n3's fencing (in its 6 s delay)"

on=$(wait_running_once "$VIP" app 90 "2") || e2e_fail "group not recovered on n2: $(where_is "$VIP" app "$NODES")"
e2e_note "group web runs on n2, $(ms_since "$ts") ms after the SIGSTOP"
log2=$LAB_ROOT/n2/launcher.log
grep -q "The origin n1 of 'off' targeting n3 .* left: waiting for n2" "$log2" \
    || e2e_fail "n2's fencer did not keep n1's operation for its executor: $(grep -i 'n3' "$log2" | grep -i fenc | tail -5)"
grep -q "origin left, completed by its executor): OK" "$log2" || e2e_fail "n2 did not complete n1's operation"
grep -q "with the operation n1:.* of departed origin n1" "$log2" \
    || e2e_fail "the new DC's request to fence n3 was not answered by n1's operation"
hist=$(sa 2 --history n3)
[ "$(echo "$hist" | grep -c "off of n3 successful")" = 1 ] || e2e_fail "not exactly one successful fencing of n3: $hist"
echo "$hist" | grep "off of n3 successful" | matches "delegate=n2.*origin=n1" || e2e_fail "n3's fencing is not n2's on behalf of n1: $hist"
echo "$hist" | matches "failed" && e2e_fail "a failed fencing of n3 in the history: $hist"
sa 2 --history n1 | matches "off of n1 successful" || e2e_fail "the new DC did not fence n1: $(sa 2 --history n1)"
# Both fencings confirmed before the group started.
for t in n1 n3; do
    at=$(grep -m1 "fencing of $t confirmed" "$log2" | awk '{print $3}')
    started=$(grep "result vip_start_0" "$log2" | tail -1 | awk '{print $3}')
    [ -n "$at" ] || e2e_fail "n2 never logged the fencing of $t as confirmed"
    awk -v f="$at" -v s="$started" 'BEGIN { exit !(f < s) }' || e2e_fail "vip started at $started, before $t's fencing was confirmed at $at"
done
[ "$(cat "$(bmc_dir 3)/power")" = 0 ] && [ "$(cat "$(bmc_dir 1)/power")" = 0 ] || e2e_fail "the BMCs do not show n1 and n3 powered off"
# Once: one fencing operation ran against n3 (the fencers' logs) and n3 lost
# power once. (The BMC may log "set power 0" twice: ipmitool retransmits a
# request that a busy BMC answers late; the second finds n3 already off.)
runs=$(cat "$LAB_ROOT"/n*/launcher.log | grep -c "Operation 'off' .* for host 'n3' .* returned" || true)
[ "$runs" = 1 ] || e2e_fail "n3's fencing ran $runs times (once expected)"
offs=$(grep -c "n3 powered off" "$(bmc_dir 3)/power.log" || true)
[ "$offs" = 1 ] || e2e_fail "n3 was powered off $offs times through its BMC (once expected)"
e2e_note "n2 completed n1's fencing of n3 (one power-off through n3's BMC), fenced n1, then started the group"

stop_sampler
n=$(grep -c . "$samples")
bad=$(doubled_samples "$samples")
[ -z "$bad" ] || e2e_fail "the sampler saw the group twice: $(echo "$bad" | head -3)"
e2e_note "$n samples at 0.1 s, none with the IP or the service on two nodes"
cluster_end
echo PASS

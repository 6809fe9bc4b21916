#!/bin/bash
# e2e (issue 10, must-show 1): a hung node is fenced before its group moves.
# 3 lab nodes with stonith-enabled=true and one fence_ipmilan device per node
# (Debian's agent, unchanged, through the node's BMC: ipmi_sim on the lab's
# management network, chassis power wired to the node). The group (IPaddr2 +
# Dummy) runs on n3 (not the DC). SIGSTOP of every process of n3: corosync
# drops it, the DC fences it (power off through its BMC; powered on again at
# the end, it boots and rejoins), and only after the fence is confirmed does the group start
# elsewhere. A sampler reads every node's state every 0.1 s (the IP on each
# node's eth0, the Dummy's state file) and must never see either on two nodes.
. "$(dirname "$0")/e2e-lib.sh"
. "$(dirname "$0")/cluster-lib.sh"
need_lab_fencing
cluster_begin cfh 3
NODES="1 2 3"
VIP=${LAB_SUBNET}.100

dc=$(wait_one_dc 3 60) || e2e_fail "no single DC"
[ "$dc" != 3 ] || e2e_fail "n3 is the DC; this test wants a non-DC victim"
FENCING=1 configure_web_group "$dc" "$VIP" '<rsc_location id="web-prefers-n3" rsc="web" node="n3" score="50"/>' \
    || e2e_fail "configuration refused"
on=$(wait_running_once "$VIP" app 60 "$NODES") || e2e_fail "group not running once: $(where_is "$VIP" app "$NODES")"
[ "$on" = 3 ] || e2e_fail "group runs on n$on, not on n3 as preferred"
devices=$( ( node_exec 1 "$CLUSTER_BIN/stonith_admin" --list-registered ) 2>&1 | tail -1)
e2e_note "group web runs on n3 (DC n$dc), stonith-enabled=true; n1's fencer: $devices"

start_sampler "$VIP" app "$NODES"

ts=$("$LAB/kill-node.sh" 3 --signal STOP | sed -n 's/^KILL_TS=//p')
e2e_note "SIGSTOP of every process of n3"
on=$(wait_running_once "$VIP" app 90 "1 2") || e2e_fail "group not running once after n3 hung: $(where_is "$VIP" app "$NODES")"
moved_ms=$(ms_since "$ts")
e2e_note "group web runs on n$on, $moved_ms ms after the SIGSTOP"

# The fencing: in the fence history of every survivor, before the start.
hist=$( ( node_exec "$on" "$CLUSTER_BIN/stonith_admin" --history n3 ) 2>&1)
echo "$hist" | matches "off of n3 successful" || e2e_fail "no successful fencing of n3 in the history: $hist"
for k in 1 2; do
    h=$( ( node_exec "$k" "$CLUSTER_BIN/stonith_admin" --history n3 ) 2>&1 | grep -c "n3" || true)
    [ "$h" -ge 1 ] || e2e_fail "n$k's fencer has no history for n3"
done
dclog=$LAB_ROOT/n$dc/launcher.log
fenced_at=$(grep -m1 "fencing of n3 confirmed" "$dclog" | awk '{print $3}')
started_at=$(grep "result vip_start_0" "$LAB_ROOT/n$on/launcher.log" | tail -1 | awk '{print $3}')
[ -n "$fenced_at" ] || e2e_fail "the DC never logged the fencing of n3 as confirmed"
[ -n "$started_at" ] || e2e_fail "no start of vip on n$on in its log"
awk -v f="$fenced_at" -v s="$started_at" 'BEGIN { exit !(f < s) }' || e2e_fail "vip started at $started_at, before the fencing was confirmed at $fenced_at"
e2e_note "fencing of n3 confirmed at $fenced_at, vip started on n$on at $started_at ($(grep -c . "$LAB_ROOT/b3/power.log") BMC calls)"

# n3 was powered off through its BMC (stonith-action=off): power it on; it
# boots and rejoins; the group stays (stickiness).
[ "$(cat "$(bmc_dir 3)/power")" = 0 ] || e2e_fail "n3's BMC does not show it powered off"
"$LAB/node-start.sh" 3 >/dev/null
wait_one_dc 3 90 >/dev/null || e2e_fail "n3 did not rejoin after being powered on"
sleep 2
now=$(wait_running_once "$VIP" app 20 "$NODES") && [ "$now" = "$on" ] || e2e_fail "group moved or doubled after n3 rejoined: $(where_is "$VIP" app "$NODES")"
stop_sampler
n=$(grep -c . "$samples")
bad=$(doubled_samples "$samples")
[ -z "$bad" ] || e2e_fail "the sampler saw the group twice: $(echo "$bad" | head -3)"
e2e_note "$n samples at 0.1 s, none with the IP or the service on two nodes; n3 powered on and rejoined"
cluster_end
echo PASS

#!/bin/bash
# e2e: only the controller (crmd) of the node running the group crashes
# (kill -9 of crmd by PID); the node, its corosync and its executor stay, and
# so do the group's resources. The DC must not start the group elsewhere
# while that node is still in corosync's membership: the group never runs on
# two nodes, crm-launcherd respawns crmd, it rejoins (one DC, same CIB) and
# the group keeps running where it was, untouched.
. "$(dirname "$0")/e2e-lib.sh"
. "$(dirname "$0")/cluster-lib.sh"
cluster_begin cctl 3
NODES="1 2 3"
VIP=${LAB_SUBNET}.100

dc=$(wait_one_dc 3 60) || e2e_fail "no single DC"
victim=2; [ "$dc" = 2 ] && victim=3
configure_web_group "$dc" "$VIP" "<rsc_location id=\"web-prefers\" rsc=\"web\" node=\"n$victim\" score=\"50\"/>" || e2e_fail "configuration refused"
on=$(wait_running_once "$VIP" app 60 "$NODES") || e2e_fail "group not running once: $(where_is "$VIP" app "$NODES")"
[ "$on" = "$victim" ] || e2e_fail "group runs on n$on, not on n$victim"
e2e_note "group web runs on n$on (DC n$dc)"

crmd_pid() { ps -o pid=,comm= -p "$(node_pids "$1" | paste -sd,)" | awk '$2=="crmd"{print $1}'; }
old=$(crmd_pid "$on")
[ -n "$old" ] || e2e_fail "no crmd on n$on"
kill -KILL "$old"
e2e_note "kill -9 of crmd (pid $old) on n$on"
# For 8 s (the launcher respawns crmd after 0.5 s): never on two nodes, never moved.
end=$(( $(date +%s) + 8 ))
while [ "$(date +%s)" -lt "$end" ]; do
    v=$(vip_nodes "$VIP" "$NODES"); d=$(dummy_nodes app "$NODES")
    [ "$v" = "$on" ] && [ "$d" = "$on" ] || e2e_fail "group disturbed after the controller crash: vip on [$v], app on [$d]"
    sleep 0.1
done
new=$(crmd_pid "$on")
[ -n "$new" ] && [ "$new" != "$old" ] || e2e_fail "crmd on n$on not respawned"
[ "$(wait_one_dc 3 30)" = "$dc" ] || e2e_fail "no single DC (n$dc) after crmd rejoined"
wait_same_cib 30 "$NODES" || e2e_fail "CIBs differ after crmd rejoined"
[ "$(cib_retry "$dc" | xmllint --xpath "count(//node_state[@crmd='online'])" -)" = 3 ] || e2e_fail "CIB does not show 3 online nodes"
now=$(wait_running_once "$VIP" app 5 "$NODES") && [ "$now" = "$on" ] || e2e_fail "group not on n$on: $(where_is "$VIP" app "$NODES")"
grep -q "controller of node $on .*left while the node is still in corosync" "$LAB_ROOT/n$dc/launcher.log" || e2e_fail "the DC did not log the controller's departure"
e2e_note "crmd respawned (pid $new) and rejoined; the group stayed on n$on, never on two nodes"
cluster_end
echo PASS

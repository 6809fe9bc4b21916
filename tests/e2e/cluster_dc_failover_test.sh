#!/bin/bash
# e2e: the DC dies while it runs the group (kill -9 of every process of the
# node). 3 lab nodes; the group (IPaddr2 + Dummy) prefers the DC. Kill the
# DC: the survivors elect one new DC and the group runs on one of them,
# exactly once. Restart the old DC: it rejoins (same CIB, one DC for all)
# and the group still runs exactly once.
. "$(dirname "$0")/e2e-lib.sh"
. "$(dirname "$0")/cluster-lib.sh"
cluster_begin cdcfo 3
NODES="1 2 3"
VIP=${LAB_SUBNET}.100

dc=$(wait_one_dc 3 60) || e2e_fail "no single DC"
configure_web_group "$dc" "$VIP" "<rsc_location id=\"web-prefers-dc\" rsc=\"web\" node=\"n$dc\" score=\"50\"/>" || e2e_fail "configuration refused"
on=$(wait_running_once "$VIP" app 60 "$NODES") || e2e_fail "group not running once: $(where_is "$VIP" app "$NODES")"
[ "$on" = "$dc" ] || e2e_fail "group runs on n$on, not on the DC n$dc"
e2e_note "group web runs on the DC n$dc"

rest=$(echo "$NODES" | tr ' ' '\n' | grep -vx "$dc" | tr '\n' ' ' | sed 's/ $//')
ts=$("$LAB/kill-node.sh" "$dc" | sed -n 's/^KILL_TS=//p')
e2e_note "kill -9 of the DC n$dc"
on=$(wait_running_once "$VIP" app 60 "$NODES") || e2e_fail "group not running once after killing the DC: $(where_is "$VIP" app "$NODES")"
e2e_note "group web runs on n$on, $(ms_since "$ts") ms after the kill"
[ "$on" != "$dc" ] || e2e_fail "group still on the dead DC"
new=$(wait_one_dc 3 20 "$rest") || e2e_fail "survivors ($rest) do not agree on one DC"
[ "$new" != "$dc" ] || e2e_fail "dead node still the DC"
e2e_note "new DC: n$new"
sleep 3
now=$(wait_running_once "$VIP" app 1 "$NODES") && [ "$now" = "$on" ] || e2e_fail "group moved or doubled: $(where_is "$VIP" app "$NODES")"
wait_same_cib 20 "$rest" || e2e_fail "survivors' CIBs differ"
[ "$(cib_retry "$new" | xmllint --xpath "count(//node_state[@id='$dc' and @crmd='offline'])" -)" = 1 ] || e2e_fail "CIB does not show n$dc offline"

"$LAB/node-start.sh" "$dc" >/dev/null
e2e_note "n$dc restarted"
d2=$(wait_one_dc 3 60) || e2e_fail "n$dc did not rejoin into a cluster with one DC"
wait_same_cib 30 "$NODES" || e2e_fail "CIBs differ after n$dc rejoined"
sleep 3
now=$(wait_running_once "$VIP" app 20 "$NODES") || e2e_fail "group not running once after n$dc rejoined: $(where_is "$VIP" app "$NODES")"
e2e_note "n$dc rejoined (DC n$d2); same CIB on all; group once, on n$now"
cluster_end
echo PASS

#!/bin/bash
# e2e: failover of a group when the node running it dies (kill -9 of every
# process of the node, as a crash). 3 lab nodes; the group (IPaddr2 + Dummy)
# prefers n3, which is not the DC. Kill n3: the group runs on another node,
# exactly once, and the DC stays. Restart n3: it rejoins (same CIB, one DC),
# and the group still runs exactly once (stickiness keeps it where it is).
. "$(dirname "$0")/e2e-lib.sh"
. "$(dirname "$0")/cluster-lib.sh"
cluster_begin cfo 3
NODES="1 2 3"
VIP=${LAB_SUBNET}.100

dc=$(wait_one_dc 3 60) || e2e_fail "no single DC"
[ "$dc" != 3 ] || e2e_fail "n3 is the DC; this test wants a non-DC active node"
configure_web_group "$dc" "$VIP" '<rsc_location id="web-prefers-n3" rsc="web" node="n3" score="50"/>' || e2e_fail "configuration refused"
on=$(wait_running_once "$VIP" app 60 "$NODES") || e2e_fail "group not running once: $(where_is "$VIP" app "$NODES")"
[ "$on" = 3 ] || e2e_fail "group runs on n$on, not on n3 as preferred"
e2e_note "group web runs on n3 (DC n$dc)"

ts=$("$LAB/kill-node.sh" 3 | sed -n 's/^KILL_TS=//p')
e2e_note "kill -9 of n3"
on=$(wait_running_once "$VIP" app 60 "1 2 3") || e2e_fail "group not running once after killing n3: $(where_is "$VIP" app "$NODES")"
e2e_note "group web runs on n$on, $(ms_since "$ts") ms after the kill"
[ "$on" != 3 ] || e2e_fail "group still on the dead node"
sleep 3
now=$(wait_running_once "$VIP" app 1 "$NODES") && [ "$now" = "$on" ] || e2e_fail "group moved or doubled: $(where_is "$VIP" app "$NODES")"
[ "$(wait_one_dc 3 20 "1 2")" = "$dc" ] || e2e_fail "the DC changed although n3 was not the DC"
wait_same_cib 20 "1 2" || e2e_fail "survivors' CIBs differ"
c=$(cib_retry 1)
[ "$(echo "$c" | xmllint --xpath "count(//node_state[@id='3' and @crmd='offline'])" -)" = 1 ] || e2e_fail "CIB does not show n3 offline"
e2e_note "DC still n$dc; survivors agree on the CIB; n3 offline"

"$LAB/node-start.sh" 3 >/dev/null
e2e_note "n3 restarted"
[ "$(wait_one_dc 3 60)" = "$dc" ] || e2e_fail "n3 did not rejoin under DC n$dc"
wait_same_cib 30 "$NODES" || e2e_fail "CIBs differ after n3 rejoined"
[ "$(cib_retry 3 | xmllint --xpath "count(//node_state[@crmd='online'])" -)" = 3 ] || e2e_fail "n3's CIB does not show 3 online nodes"
sleep 3
now=$(wait_running_once "$VIP" app 20 "$NODES") || e2e_fail "group not running once after n3 rejoined: $(where_is "$VIP" app "$NODES")"
[ "$now" = "$on" ] || e2e_fail "group moved from n$on to n$now although sticky"
e2e_note "n3 rejoined; same CIB on all; group still once, on n$now"
cluster_end
echo PASS

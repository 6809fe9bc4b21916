#!/bin/bash
# e2e: kill -9 of node 3's corosync (by PID): the probes on nodes 1 and 2 see
# node 3 leave, quorum stays (2 of 3); the probe on node 3 gets on_lost and
# exits; corosync restarted on node 3 rejoins and a new probe there sees all.
. "$(dirname "$0")/e2e-lib.sh"
e2e_begin kill 3
for k in 1 2 3; do probe_start "$k" p -g e2e-kill -q; done
for k in 1 2 3; do probe_wait "$k" p "CONFCHG members=1,2,3 " 10; done

kill_out=$("$LAB/kill-node.sh" 3 --corosync-only)
kill_ts=$(echo "$kill_out" | sed -n 's/^KILL_TS=//p')
e2e_note "killed corosync of n3: $(echo "$kill_out" | tail -1)"
for k in 1 2; do probe_wait "$k" p "CONFCHG members=1,2 joined= left=3" 20; done
for k in 1 2; do
    line=$(grep "left=3" "$(probe_log "$k" p)" | head -1)
    e2e_note "n$k saw n3 leave after $(awk -v k="$kill_ts" '{printf "%.0f", ($1 - k) * 1000}' <<<"$line") ms"
done
probe_wait 3 p "LOST " 10
probe_wait_exit 3 p 5
e2e_note "n3's probe got on_lost and exited"
for k in 1 2; do node_quorate "$k" || e2e_fail "n$k lost quorum with 2 of 3 nodes"; done
for k in 1 2; do ! grep -q "QUORUM quorate=0" "$(probe_log "$k" p)" || e2e_fail "n$k reported quorum loss"; done
e2e_note "n1 and n2 still quorate"

"$LAB/node-start.sh" 3 --corosync-only >/dev/null
probe_start 3 p2 -g e2e-kill -q
probe_wait 3 p2 "CONFCHG members=1,2,3 " 20
for k in 1 2; do probe_wait "$k" p "CONFCHG members=1,2,3 joined=3 " 10; done
e2e_note "n3 rejoined"
echo PASS

#!/bin/bash
# e2e: fence-reaction on 3 lab nodes with real corosync and the whole stack.
# A node whose fencing succeeds while it keeps running (fabric fencing, or
# here Debian's fence_dummy, which cuts no power) learns of it from its
# fencer; its controller exits 100 (fence-reaction=stop, the default, as the
# peer's controller), its launcher stops the node's other daemons and does not
# respawn them, and the rest of the cluster carries on with one DC, which
# fences n3 again once its controller has stayed gone past the grace.
. "$(dirname "$0")/e2e-lib.sh"
. "$(dirname "$0")/cluster-lib.sh"
[ -x /usr/sbin/fence_dummy ] || e2e_skip "fence_dummy (fence-agents) not installed"
for b in fenced stonith_admin; do [ -x "${CRM_BIN_DIR:-}/$b" ] || e2e_skip "no $b in CRM_BIN_DIR"; done
cluster_begin react 3
sa() { local k=$1; shift; ( node_exec "$k" "$CLUSTER_BIN/stonith_admin" "$@" ); }
dc=$(wait_one_dc 3 30) || e2e_fail "no DC"
e2e_note "DC is node $dc"

S=$LAB_ROOT/fence
mkdir -p "$S"
printf on > "$S/n3.status"
cib_do 1 -C -o resources -X "<primitive id=\"fd-n3\" class=\"stonith\" type=\"fence_dummy\"><instance_attributes id=\"fd-n3-i\"><nvpair id=\"fd-n3-1\" name=\"type\" value=\"file\"/><nvpair id=\"fd-n3-2\" name=\"status_file\" value=\"$S/n3.status\"/><nvpair id=\"fd-n3-3\" name=\"pcmk_host_list\" value=\"n3\"/></instance_attributes></primitive>" \
    || e2e_fail "cibadmin refused fd-n3"
registered() { local k; for k in 1 2 3; do sa "$k" -L 2>/dev/null | matches "1 fence device found" || return 1; done; }
wait_until 20 registered || e2e_fail "fd-n3 is not registered everywhere"

launcher_pid=$(cat "$LAB_ROOT/n3/launcher.pid")
sa 1 -F n3 -t 20 || e2e_fail "fencing n3 from n1 failed"
e2e_note "n3 fenced (off) by fence_dummy while it runs"
reacted() { grep -q "this node was reported fenced while it runs: fence-reaction=stop" "$LAB_ROOT/n3/launcher.log"; }
wait_until 20 reacted || e2e_fail "n3's controller did not react: $(tail -20 "$LAB_ROOT/n3/launcher.log")"
daemons_on() { ps -o comm= -p "$(node_pids "$1" | tr '\n' ',' | sed 's/,$//')" 2>/dev/null | grep -E '^(crm-launcherd|cibd|lrmd|fenced|attrd|crmd)$' || true; }
wait_until 30 bash -c "! kill -0 $launcher_pid 2>/dev/null" || e2e_fail "n3's launcher still runs: $(daemons_on 3)"
sleep 2
[ -z "$(daemons_on 3)" ] || e2e_fail "daemons run on n3 after its fence-reaction: $(daemons_on 3)"
grep -q "exited with status 100" "$LAB_ROOT/n3/launcher.log" || e2e_fail "the launcher did not see crmd's exit 100"
e2e_note "n3's controller exited 100 and its launcher stopped every daemon and stayed down"

for k in 1 2; do
    sa "$k" -H n3 | matches "off of n3 successful" || e2e_fail "n$k's fencer does not record the fencing of n3: $(sa "$k" -H n3)"
done
dc=$(wait_one_dc 2 30 "1 2") || e2e_fail "n1 and n2 do not agree on a DC after n3 left"
e2e_note "n1 and n2 carry on (DC node $dc) and record the fencing"
# n3 is still in corosync's membership without a controller: the DC waits
# the grace for it to come back, then takes the node for down and fences it.
dclog=$LAB_ROOT/n$dc/launcher.log
handled() { grep -q "the controller of node 3 did not come back" "$dclog" && grep -q "fencing of n3 confirmed" "$dclog"; }
wait_until 40 handled || e2e_fail "the DC did not fence n3 after its controller stayed gone: $(grep -E 'node 3|n3' "$dclog" | tail -5)"
e2e_note "the DC took n3 (in corosync, no controller) for down after the grace and fenced it"
cluster_end
echo PASS

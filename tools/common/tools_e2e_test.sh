#!/bin/bash
# e2e: the administration tools against a 3-node lab cluster (the whole
# stack under crm-launcherd): crm_mon and crm_node see the controller's DC,
# quorum and membership; crm_shell configures a resource; crm_resource
# locates, moves and cleans it up; crm_standby empties a node.
# usage: tools_e2e_test.sh SOURCE_DIR   (CRM_BIN_DIR, LAB_NAME from ctest)
. "$1/tests/e2e/e2e-lib.sh"
. "$1/tests/e2e/cluster-lib.sh"
for t in crm_mon crm_node crm_resource crm_attribute crm_standby crm_shell; do
    [ -x "$CLUSTER_BIN/$t" ] || e2e_skip "no $t in CRM_BIN_DIR='$CLUSTER_BIN'"
done
cluster_begin tools 3
NODES="1 2 3"
tool() { local k=$1; shift; ( node_exec "$k" "$CLUSTER_BIN/$@" ); }

dc=$(wait_one_dc 3 60) || e2e_fail "no single DC"
e2e_note "DC is n$dc"

mon=$(tool 2 crm_mon -1) || e2e_fail "crm_mon -1 failed"
echo "$mon" | grep -q "^  \* Current DC: n$dc (version .*) - partition with quorum$" || e2e_fail "crm_mon DC line: $mon"
echo "$mon" | grep -q "^  \* Online: \[ n1 n2 n3 \]$" || e2e_fail "crm_mon nodes: $mon"
[ "$(tool 3 crm_node -n)" = n3 ] || e2e_fail "crm_node -n"
[ "$(tool 3 crm_node -i)" = 3 ] || e2e_fail "crm_node -i"
[ "$(tool 3 crm_node -q)" = 1 ] || e2e_fail "crm_node -q"
[ "$(tool 3 crm_node -p)" = "n1 n2 n3" ] || e2e_fail "crm_node -p: $(tool 3 crm_node -p)"
[ "$(tool 1 crm_node -l | awk '{print $3}' | sort -u)" = member ] || e2e_fail "crm_node -l: $(tool 1 crm_node -l)"
tool 2 crm_mon -1 --output-as=xml | xmllint --noout - || e2e_fail "crm_mon XML"

tool 1 crm_attribute -n stonith-enabled -v false || e2e_fail "crm_attribute"
printf 'configure\nprimitive r1 ocf:crm:Dummy op monitor interval=2s\ncommit\n' | tool 1 crm_shell \
    || e2e_fail "crm_shell configure"

# located_on K RSC — the single node crm_resource -W reports (as seen from node K).
located_on() { tool "$1" crm_resource -W -r "$2" -Q 2>/dev/null; }
_on_one() { local n; n=$(located_on 2 r1); [ -n "$n" ] && [ "$(echo "$n" | wc -l)" = 1 ]; }
wait_until 30 _on_one || e2e_fail "r1 did not start: $(tool 2 crm_mon -1)"
first=$(located_on 2 r1)
e2e_note "r1 runs on $first"
target=n1; [ "$first" = n1 ] && target=n2
tool 3 crm_resource -M -r r1 -N "$target" || e2e_fail "crm_resource -M"
_moved() { [ "$(located_on 3 r1)" = "$target" ]; }
wait_until 30 _moved || e2e_fail "r1 did not move to $target: $(tool 3 crm_mon -1)"
e2e_note "moved to $target"
tool 3 crm_resource -U -r r1 | grep -q "Removing constraint: cli-prefer-r1" || e2e_fail "crm_resource -U"

# crm_mon -d rewrites its HTML page on every CIB change (a 60 s interval:
# the changes below are what redraws it).
page=$LAB_ROOT/mon.html
tool 2 crm_mon -d -i 60 --output-as=html --output-to="$page" -p "$LAB_ROOT/mon.pid" || e2e_fail "crm_mon -d"
wait_until 10 test -s "$page" || e2e_fail "crm_mon -d wrote no page"
grep -q "<h2>nodes</h2>" "$page" || e2e_fail "crm_mon -d's page: $(head -5 "$page")"
# Standby empties the node; crm_mon says so.
t0=$(date +%s%3N)
tool 1 crm_standby -N "$target" -v on || e2e_fail "crm_standby"
_page_standby() { grep -q "name=<b>$target</b></span> .*standby=<b>true</b>" "$page"; }
wait_until 10 _page_standby || e2e_fail "crm_mon -d's page did not show $target in standby within 10 s"
e2e_note "crm_mon -d rewrote its page $(( $(date +%s%3N) - t0 )) ms after crm_standby"
kill "$(cat "$LAB_ROOT/mon.pid")" 2>/dev/null || e2e_fail "no crm_mon daemon to stop (pid file)"
_left() { local n; n=$(located_on 1 r1); [ -n "$n" ] && [ "$n" != "$target" ]; }
wait_until 30 _left || e2e_fail "r1 stayed on standby node $target"
tool 1 crm_mon -1 | grep -q "^  \* Node $target: standby$" || e2e_fail "crm_mon does not show $target in standby"
tool 1 crm_standby -N "$target" -v off || e2e_fail "crm_standby off"

# Cleanup: the history goes and comes back from the DC's probes; r1 keeps running.
now=$(located_on 1 r1)
tool 2 crm_resource -C -r r1 | grep -q "Cleaned up r1 on $now" || e2e_fail "crm_resource -C"
_reprobed() { [ "$(cib 2 | xmllint --xpath 'count(//lrm_resource[@id="r1"])' - 2>/dev/null)" -ge 3 ]; }
wait_until 30 _reprobed || e2e_fail "r1 not re-probed on every node after cleanup"
wait_until 30 _on_one || e2e_fail "r1 not running after cleanup"
e2e_note "cleanup re-probed r1; it runs on $(located_on 1 r1)"
cluster_end

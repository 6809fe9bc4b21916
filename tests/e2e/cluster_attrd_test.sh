#!/bin/bash
# e2e: node attributes on 3 lab nodes with real corosync (crm-launcherd ->
# cibd, lrmd, fenced, attrd, crmd):
#  1. attrd: values set on each node agree everywhere (attrd_updater -Q -A);
#     1000 updates of one attribute inside its dampening window make a few CIB
#     changes (num_updates); kill -9 of the writer's attrd loses nothing
#     (a value set while it is down is written by the next writer; the
#     respawned one gets everything back);
#  2. connectivity: a clone of Debian's ocf:pacemaker:ping (unchanged) against
#     a target in the lab's switch namespace, and a location rule on pingd
#     (not_defined or lte 0 -> -INFINITY) for the web group; blocking the
#     target from the node holding the VIP (iptables in its namespace) moves
#     the group away within dampen + interval + timeout x attempts + 5 s;
#     unblocking lets it stay where it went (stickiness);
#  3. a node that leaves loses its transient attributes, in every attrd and
#     in the CIB.
. "$(dirname "$0")/e2e-lib.sh"
. "$(dirname "$0")/cluster-lib.sh"
[ -x "${CRM_BIN_DIR:-}/attrd" ] && [ -x "${CRM_BIN_DIR:-}/attrd_updater" ] || e2e_skip "attrd not built"
[ -x /usr/lib/ocf/resource.d/pacemaker/ping ] || e2e_skip "ocf:pacemaker:ping (pacemaker-resource-agents) not installed"
command -v ping >/dev/null || e2e_skip "ping (iputils-ping) not installed"
cluster_begin attr 3
NODES="1 2 3"
au() { local k=$1; shift; ( node_exec "$k" "$CLUSTER_BIN/attrd_updater" "$@" ); }
dc=$(wait_one_dc 3 60) || e2e_fail "no DC"
attrds_up() { local k out; for k in $NODES; do out=$(au "$k" -n nosuch -Q 2>&1); [[ $out == *"does not exist"* ]] || return 1; done; }
wait_until 30 attrds_up || e2e_fail "attrd is not answering on every node"
e2e_note "DC n$dc; attrd answers on n1, n2, n3"

# --- 1. agreement, dampening, the writer's death ------------------------------------
for k in $NODES; do au "$k" -n site -U "rack$k" || e2e_fail "attrd_updater -U on n$k"; done
agree() {
    local k first="" v
    for k in $NODES; do
        v=$(au "$k" -n site -Q -A 2>&1) || return 1
        [ -z "$first" ] && first=$v
        [ "$v" = "$first" ] || return 1
    done
    [ "$(echo "$first" | wc -l)" = 3 ]
}
wait_until 5 agree || e2e_fail "attrd_updater -Q -A differs: $(for k in $NODES; do au "$k" -n site -Q -A; done)"
e2e_note "-Q -A agrees on every node: $(au 2 -n site -Q -A | tr '\n' ' ')"
site_written() { [ "$(cib 1 2>/dev/null | grep -c 'name="site" value="rack')" = 3 ]; }
wait_until 10 site_written || e2e_fail "the writer did not write site for the 3 nodes: $(cib 1 | grep site)"

num_updates() { cib 1 | sed -n '1s/.* num_updates="\([0-9]*\)".*/\1/p'; }
au 2 -n load -B 0 -d 5s || e2e_fail "-B load"
sleep 6
before=$(num_updates)
t0=$(date +%s%N)
# The loop's 1000 processes skip the sanitizer's leak check at exit (half of
# each run's time under ASan); the same calls are leak-checked elsewhere.
( node_exec 2 env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
    bash -c "for i in \$(seq 1 1000); do '$CLUSTER_BIN/attrd_updater' -n load -U \$i || exit 1; done" ) || e2e_fail "1000 updates on n2"
elapsed=$(( ($(date +%s%N) - t0) / 1000000 ))
[ "$(au 3 -n load -Q -N n2)" = 'name="load" host="n2" value="1000"' ] || e2e_fail "n3 holds $(au 3 -n load -Q -N n2)"
sleep 6
after=$(num_updates)
cib 1 | grep 'name="load" value="1000"' >/dev/null || e2e_fail "load=1000 not in the CIB after its window"
e2e_note "1000 updates of a 5 s dampened attribute in $elapsed ms: $((after - before)) CIB changes (num_updates $before -> $after)"
# At most one change per 5 s window the loop spanned (and the last one).
[ $((after - before)) -le $((elapsed / 5000 + 2)) ] || e2e_fail "1000 dampened updates over $elapsed ms made $((after - before)) CIB changes"

attrd_pid() { ps -o pid=,comm= -p "$(node_pids "$1" | tr '\n' ',' | sed 's/,$//')" | awk '$2=="attrd"{print $1}'; }
w=$(attrd_pid 1)
[ -n "$w" ] || e2e_fail "no attrd on n1"
kill -KILL "$w"
au 2 -n during -U x -N n3 || e2e_fail "update while n1's attrd is down"
[ "$(au 3 -n site -Q -N n1)" = 'name="site" host="n1" value="rack1"' ] || e2e_fail "n3 lost n1's value with n1's attrd: $(au 3 -n site -Q -N n1)"
respawned() { local p; p=$(attrd_pid 1); [ -n "$p" ] && [ "$p" != "$w" ] && au 1 -n during -Q -N n3 2>/dev/null | grep 'value="x"' >/dev/null; }
wait_until 20 respawned || e2e_fail "n1's attrd was not respawned with the values: $(au 1 -n during -Q -N n3 2>&1)"
[ "$(au 1 -n site -Q -A | tr '\n' ' ')" = "$(au 2 -n site -Q -A | tr '\n' ' ')" ] || e2e_fail "the respawned attrd differs"
during_written() { cib 1 2>/dev/null | grep 'name="during" value="x"' >/dev/null; }
wait_until 10 during_written || e2e_fail "the value set while the writer was down is not in the CIB"
e2e_note "writer n1's attrd (pid $w) killed: nothing lost, the respawned one got every value, 'during' reached the CIB"

# --- 2. connectivity ---------------------------------------------------------------
target=${LAB_SUBNET}.250
ip netns exec "$(switch_ns)" ip addr add "$target/24" dev lan0 2>/dev/null ||
    ip netns exec "$(switch_ns)" ip addr show | grep "$target" >/dev/null || e2e_fail "cannot give the switch $target"
( node_exec 1 ping -c 1 -W 1 "$target" ) >/dev/null || e2e_fail "n1 cannot ping the switch at $target"
DAMPEN=2 INTERVAL=2 TIMEOUT=2 ATTEMPTS=2
rule='<rsc_location id="web-connected" rsc="web"><rule id="web-connected-r" score="-INFINITY" boolean-op="or"><expression id="web-connected-e1" attribute="pingd" operation="not_defined"/><expression id="web-connected-e2" attribute="pingd" operation="lte" value="0"/></rule></rsc_location>'
configure_web_group 1 10.99.0.100 "$rule" || e2e_fail "configure web"
cib_do 1 -C -o resources -X "<clone id=\"ping-clone\"><primitive id=\"ping\" class=\"ocf\" provider=\"pacemaker\" type=\"ping\"><instance_attributes id=\"ping-ia\"><nvpair id=\"ping-hl\" name=\"host_list\" value=\"$target\"/><nvpair id=\"ping-d\" name=\"dampen\" value=\"${DAMPEN}s\"/><nvpair id=\"ping-m\" name=\"multiplier\" value=\"1000\"/><nvpair id=\"ping-a\" name=\"attempts\" value=\"$ATTEMPTS\"/><nvpair id=\"ping-t\" name=\"timeout\" value=\"$TIMEOUT\"/></instance_attributes><operations><op id=\"ping-mon\" name=\"monitor\" interval=\"${INTERVAL}s\" timeout=\"20s\"/></operations></primitive></clone>" ||
    e2e_fail "cibadmin refused the ping clone"
where=$(wait_running_once 10.99.0.100 app 60 "$NODES") || e2e_fail "web did not start: $(where_is 10.99.0.100 app "$NODES")"
connected() { au "$1" -n pingd -Q 2>/dev/null | grep 'value="1000"' >/dev/null; }
for k in $NODES; do wait_until 20 connected "$k" || e2e_fail "pingd on n$k: $(au "$k" -n pingd -Q 2>&1)"; done
e2e_note "ping clone runs, pingd=1000 on every node; web on n$where"
( node_exec "$where" iptables -A OUTPUT -d "$target" -j DROP ) || e2e_fail "iptables on n$where"
t0=$(date +%s%N)
bound=$(( DAMPEN + INTERVAL + TIMEOUT * ATTEMPTS + 5 ))
moved() { local n; n=$(vip_nodes 10.99.0.100 "$NODES"); [ -n "$n" ] && [ "$n" != "$where" ] && [ "$(dummy_nodes app "$NODES")" = "$n" ]; }
wait_until $((bound + 20)) moved || e2e_fail "web did not leave n$where: $(where_is 10.99.0.100 app "$NODES"), pingd: $(au 1 -n pingd -Q -A | tr '\n' ' ')"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
new=$(vip_nodes 10.99.0.100 "$NODES")
e2e_note "target blocked on n$where: web moved to n$new in $ms ms (bound ${bound} s = dampen $DAMPEN + interval $INTERVAL + timeout $TIMEOUT x $ATTEMPTS + 5)"
[ "$ms" -le $((bound * 1000)) ] || e2e_fail "web moved after $ms ms, beyond the bound of $bound s"
( node_exec "$where" iptables -D OUTPUT -d "$target" -j DROP ) || e2e_fail "iptables -D on n$where"
back() { au 1 -n pingd -Q -N "n$where" 2>/dev/null | grep 'value="1000"' >/dev/null; }
wait_until 20 back || e2e_fail "pingd did not come back on n$where"
sleep $((DAMPEN + INTERVAL + 2))
[ "$(vip_nodes 10.99.0.100 "$NODES")" = "$new" ] || e2e_fail "web moved again after the unblock: $(where_is 10.99.0.100 app "$NODES")"
e2e_note "target unblocked: pingd back on n$where, web stays on n$new (stickiness)"

# --- 3. a node that leaves ----------------------------------------------------------
leaver=1; for k in $NODES; do [ "$k" != "$new" ] && [ "$k" != "$dc" ] && leaver=$k; done
others=""; for k in $NODES; do [ "$k" != "$leaver" ] && others="$others $k"; done
"$LAB/kill-node.sh" "$leaver" >/dev/null || e2e_fail "kill n$leaver"
gone() { local k; for k in $others; do au "$k" -n site -Q -A 2>/dev/null | grep "host=\"n$leaver\"" >/dev/null && return 1; done; ! cib "${others# }" 2>/dev/null | grep "value=\"rack$leaver\"" >/dev/null; }
wait_until 20 gone || e2e_fail "n$leaver's attributes stayed: $(au "${others# }" -n site -Q -A | tr '\n' ' ')"
e2e_note "n$leaver killed: its attributes are gone from every attrd and from the CIB"
cluster_end
echo PASS

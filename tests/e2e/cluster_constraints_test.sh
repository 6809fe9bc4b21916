#!/bin/bash
# e2e (must-show 4): constraints change placement live, on 3 lab nodes with
# the whole stack. Every change is made with cibadmin on a different node and
# must reach all nodes (same configuration epoch and digest everywhere).
#   location    rA prefers n2 (INFINITY); changed to n3: rA moves to n3
#   colocation  rB with rA (INFINITY): rB joins rA
#   order       rA then rB; moving rA (and so rB) stops rB before rA and
#               starts rB only after rA's start succeeded
#   stickiness  rC, stickiness 100, gets a preference of 50 for another node:
#               stays; stickiness set to 0: moves there
#   standby     standby=on for rA's node: everything leaves it; off: rA returns
#   migration   rM (allow-migrate) moves live: migrate_to, migrate_from, stop,
#               never active on two nodes
#   ticket      rC depends on ticketA (loss-policy=stop): stopped until crm_ticket
#               grants it, started, stopped when it is revoked
#   rejoin      n3 is killed, the configuration changes, n3 comes back and
#               gets the newest CIB
#   replay      every scheduler input the DCs kept replays with crm_simulate
#               to the graph the DC logged for it
. "$(dirname "$0")/e2e-lib.sh"
. "$(dirname "$0")/cluster-lib.sh"
cluster_begin ccon 3
NODES="1 2 3"

# wait_on RSC "NODE" SECONDS — RSC (ocf:heartbeat:Dummy) runs on exactly NODE.
wait_on() {
    local deadline=$(( $(date +%s) + $3 ))
    until [ "$(dummy_nodes "$1" "$NODES")" = "$2" ]; do
        [ "$(date +%s)" -lt "$deadline" ] || e2e_fail "$1 not on n$2 within $3 s (on [$(dummy_nodes "$1" "$NODES")])"
        sleep 0.2
    done
}
# config_id K — "epoch digest-of-configuration" as node K sees it.
config_id() {
    local c; c=$(cib "$1") || return 1
    echo "$(echo "$c" | sed -n 's/.*<cib [^>]* epoch="\([0-9]*\)".*/\1/p' | head -1) $(echo "$c" | xmllint --xpath '/cib/configuration' - 2>/dev/null | md5sum | cut -c1-12)"
}
_same_config() {
    local a b c
    a=$(config_id 1) && b=$(config_id 2) && c=$(config_id 3) || return 1
    [ "$a" = "$b" ] && [ "$b" = "$c" ] && echo "$c" | matches "$1"
}
# all_have NODES XPATH — every listed node's CIB matches XPATH, same configuration everywhere.
all_have() {
    local k
    for k in $1; do [ "$(cib "$k" | xmllint --xpath "count($2)" - 2>/dev/null)" -ge 1 ] 2>/dev/null || return 1; done
}
reaches_all() {  # reaches_all WHAT XPATH
    wait_until 20 all_have "$NODES" "$2" || e2e_fail "$1 did not reach every node"
    wait_until 20 _same_config "" || e2e_fail "configurations differ after $1: $(for k in $NODES; do echo "n$k: $(config_id "$k")"; done)"
}
dummy() {
    echo "<primitive id=\"$1\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\"><operations><op id=\"$1-mon\" name=\"monitor\" interval=\"10s\"/></operations></primitive>"
}

dc=$(wait_one_dc 3 60) || e2e_fail "no single DC"
e2e_note "DC is n$dc"

# ---- location ------------------------------------------------------------------
# Without fencing: this test is about where constraints put resources, and its
# "rejoin" step kills n3 and expects the same node back (restarted, not powered
# off by its BMC); the lab gives it no fence devices. Fencing a killed node
# before its resources move is what the e2e_cluster_fencing_* tests check.
cib_do 1 -M -c -o crm_config -X '<crm_config><cluster_property_set id="cib-bootstrap-options"><nvpair id="opt-stonith" name="stonith-enabled" value="false"/></cluster_property_set></crm_config>' || e2e_fail "crm_config refused"
cib_do 1 -M -c -o rsc_defaults -X '<rsc_defaults><meta_attributes id="rsc-options"><nvpair id="rsc-stickiness" name="resource-stickiness" value="0"/></meta_attributes></rsc_defaults>' || e2e_fail "rsc_defaults refused"
cib_do 1 -M -c -o configuration -X "<configuration><resources>$(dummy rA)$(dummy rB)$(dummy rC)</resources><constraints><rsc_location id=\"loc-a\" rsc=\"rA\" node=\"n2\" score=\"INFINITY\"/></constraints></configuration>" \
    || e2e_fail "resources refused"
reaches_all "the resources (from n1)" "//primitive[@id='rC']"
wait_on rA 2 30
e2e_note "location: rA runs on n2 (loc-a INFINITY)"
cib_do 3 -M -o constraints -X '<rsc_location id="loc-a" node="n3"/>' || e2e_fail "modify loc-a refused"
reaches_all "loc-a -> n3 (from n3)" "//rsc_location[@id='loc-a' and @node='n3']"
wait_on rA 3 30
e2e_note "location changed on n3: rA moved to n3"

# ---- colocation ----------------------------------------------------------------
cib_do 2 -C -o constraints -X '<rsc_colocation id="col-b-a" rsc="rB" with-rsc="rA" score="INFINITY"/>' || e2e_fail "colocation refused"
reaches_all "col-b-a (from n2)" "//rsc_colocation[@id='col-b-a']"
wait_on rB 3 30
wait_on rA 3 5
e2e_note "colocation (made on n2): rB joined rA on n3"

# ---- order ---------------------------------------------------------------------
cib_do 1 -C -o constraints -X '<rsc_order id="ord-a-b" first="rA" then="rB" kind="Mandatory"/>' || e2e_fail "order refused"
reaches_all "ord-a-b (from n1)" "//rsc_order[@id='ord-a-b']"
sleep 1
mark1=$(wc -l < "$LAB_ROOT/n1/launcher.log"); mark3=$(wc -l < "$LAB_ROOT/n3/launcher.log")
cib_do 2 -M -o constraints -X '<rsc_location id="loc-a" node="n1"/>' || e2e_fail "modify loc-a refused"
wait_on rA 1 30
wait_on rB 1 30
sleep 1
# Line numbers (in the node's launcher.log, where lrmd and crmd write in
# order) of lrmd's "queued X" and of the result of X.
line_of() { tail -n +"$(( $2 + 1 ))" "$LAB_ROOT/n$1/launcher.log" | grep -n -m1 -E "$3" | cut -d: -f1; }
q_b_start=$(line_of 1 "$mark1" "lrmd: queued rB_start_0"); r_a_start=$(line_of 1 "$mark1" "result rA_start_0 .*: ok")
q_a_stop=$(line_of 3 "$mark3" "lrmd: queued rA_stop_0"); r_b_stop=$(line_of 3 "$mark3" "result rB_stop_0 .*: ok")
[ -n "$q_b_start" ] && [ -n "$r_a_start" ] && [ "$r_a_start" -lt "$q_b_start" ] \
    || e2e_fail "order: rB's start was queued (line ${q_b_start:-?}) before rA's start succeeded (line ${r_a_start:-?}) on n1"
[ -n "$q_a_stop" ] && [ -n "$r_b_stop" ] && [ "$r_b_stop" -lt "$q_a_stop" ] \
    || e2e_fail "order: rA's stop was queued (line ${q_a_stop:-?}) before rB's stop succeeded (line ${r_b_stop:-?}) on n3"
e2e_note "order (made on n1, move made on n2): rB stopped before rA on n3, started after rA on n1"

# ---- stickiness ----------------------------------------------------------------
c_on=$(dummy_nodes rC "$NODES")
[ "$(echo "$c_on" | wc -w)" = 1 ] || e2e_fail "rC not running once: [$c_on]"
target=$(( c_on % 3 + 1 ))
cib_do 3 -M -o rsc_defaults -X '<nvpair id="rsc-stickiness" value="100"/>' || e2e_fail "stickiness refused"
reaches_all "stickiness 100 (from n3)" "//nvpair[@id='rsc-stickiness' and @value='100']"
cib_do 1 -C -o constraints -X "<rsc_location id=\"loc-c\" rsc=\"rC\" node=\"n$target\" score=\"50\"/>" || e2e_fail "loc-c refused"
reaches_all "loc-c (from n1)" "//rsc_location[@id='loc-c']"
sleep 3
[ "$(dummy_nodes rC "$NODES")" = "$c_on" ] || e2e_fail "stickiness 100 did not keep rC on n$c_on against a preference of 50 (now on [$(dummy_nodes rC "$NODES")])"
e2e_note "stickiness 100 keeps rC on n$c_on against loc-c (50 for n$target)"
cib_do 2 -M -o rsc_defaults -X '<nvpair id="rsc-stickiness" value="0"/>' || e2e_fail "stickiness refused"
reaches_all "stickiness 0 (from n2)" "//nvpair[@id='rsc-stickiness' and @value='0']"
wait_on rC "$target" 30
e2e_note "stickiness 0 (made on n2): rC moved to n$target"

# ---- standby -------------------------------------------------------------------
cib_do 3 -M -c -o nodes -X '<node id="1" uname="n1"><instance_attributes id="nodes-1"><nvpair id="nodes-1-standby" name="standby" value="on"/></instance_attributes></node>' \
    || e2e_fail "standby refused"
reaches_all "standby=on for n1 (from n3)" "//node[@id='1']//nvpair[@name='standby' and @value='on']"
empty_n1() { for r in rA rB rC; do echo " $(dummy_nodes $r "$NODES") " | matches " 1 " && return 1; done; [ -n "$(dummy_nodes rA "$NODES")" ] && [ "$(dummy_nodes rA "$NODES")" = "$(dummy_nodes rB "$NODES")" ]; }
wait_until 30 empty_n1 || e2e_fail "standby: n1 not emptied (rA [$(dummy_nodes rA "$NODES")] rB [$(dummy_nodes rB "$NODES")] rC [$(dummy_nodes rC "$NODES")])"
e2e_note "standby=on: n1 emptied, rA+rB now on n$(dummy_nodes rA "$NODES")"
cib_do 2 -M -o nodes -X '<nvpair id="nodes-1-standby" value="off"/>' || e2e_fail "standby off refused"
wait_on rA 1 30
wait_on rB 1 30
e2e_note "standby=off (made on n2): rA and rB back on n1"

# ---- live migration (#13 must-show 5) ---------------------------------------------
# rM (ocf:heartbeat:Dummy, allow-migrate=true) is moved from n1 to n2 by a
# location change: migrate_to on n1, then migrate_from on n2, then the stop on
# n1, and no start anywhere; sampled every 0.1 s, it never runs on two nodes.
cib_do 2 -C -o resources -X '<primitive id="rM" class="ocf" provider="heartbeat" type="Dummy"><meta_attributes id="rM-meta"><nvpair id="rM-am" name="allow-migrate" value="true"/></meta_attributes><operations><op id="rM-mon" name="monitor" interval="10s"/></operations></primitive>' \
    || e2e_fail "rM refused"
cib_do 2 -C -o constraints -X '<rsc_location id="loc-m" rsc="rM" node="n1" score="INFINITY"/>' || e2e_fail "loc-m refused"
wait_on rM 1 30
# Each sample looks at the target (n2) before the source (n1): the two looks
# are not one instant, and looked at in that order a sample can show both
# only if rM really ran on both (seen on n2 first means it had left n1).
( while :; do echo "$(date +%s.%N) [$(dummy_nodes rM "2 1")]"; sleep 0.1; done ) > "$LAB_ROOT/migration-samples" 2>/dev/null &
msampler=$!
m1=$(wc -l < "$LAB_ROOT/n1/launcher.log"); m2=$(wc -l < "$LAB_ROOT/n2/launcher.log")
cib_do 3 -M -o constraints -X '<rsc_location id="loc-m" node="n2"/>' || e2e_fail "modify loc-m refused"
wait_on rM 2 30
sleep 0.5
kill "$msampler" 2>/dev/null; wait "$msampler" 2>/dev/null || true
twice=$(grep -E '\[[0-9]+ [0-9]+' "$LAB_ROOT/migration-samples" | head -3) || true
[ -z "$twice" ] || e2e_fail "rM ran on two nodes during its migration: $twice"
# The time (epoch.ms) of the controller's result line for an operation on a node.
result_at() { tail -n +"$(( $2 + 1 ))" "$LAB_ROOT/n$1/launcher.log" | grep -m1 -E "crmd\[n$1\]: result $3 .*: ok" | awk '{print $3}'; }
t_to=$(result_at 1 "$m1" rM_migrate_to_0); t_from=$(result_at 2 "$m2" rM_migrate_from_0); t_stop=$(result_at 1 "$m1" rM_stop_0)
[ -n "$t_to" ] && [ -n "$t_from" ] && [ -n "$t_stop" ] \
    || e2e_fail "migration results missing: migrate_to on n1 [$t_to], migrate_from on n2 [$t_from], stop on n1 [$t_stop]"
awk -v a="$t_to" -v b="$t_from" -v c="$t_stop" 'BEGIN { exit !(a < b && b < c) }' \
    || e2e_fail "migration out of order: migrate_to $t_to, migrate_from $t_from, stop $t_stop"
tail -n +"$(( m2 + 1 ))" "$LAB_ROOT/n2/launcher.log" | grep -q "result rM_start_0" && e2e_fail "rM was started on n2 instead of migrated"
e2e_note "live migration: rM migrate_to on n1 ($t_to), migrate_from on n2 ($t_from), stop on n1 ($t_stop); never on two nodes in $(wc -l < "$LAB_ROOT/migration-samples") samples"
cib_do 1 -D -o constraints -X '<rsc_location id="loc-m"/>' || e2e_fail "delete loc-m refused"
# allow-migrate on an agent without migrate_to (IPaddr2): the move tries
# migrate_to, which fails, and the address is recovered by stop and start on
# the new node, as the peer does (crm_verify warns about it beforehand).
MVIP=${LAB_SUBNET}.150
cib_do 2 -C -o resources -X "<primitive id=\"vipM\" class=\"ocf\" provider=\"heartbeat\" type=\"IPaddr2\"><instance_attributes id=\"vipM-ia\"><nvpair id=\"vipM-ip\" name=\"ip\" value=\"$MVIP\"/><nvpair id=\"vipM-cidr\" name=\"cidr_netmask\" value=\"24\"/><nvpair id=\"vipM-nic\" name=\"nic\" value=\"eth0\"/></instance_attributes><meta_attributes id=\"vipM-meta\"><nvpair id=\"vipM-am\" name=\"allow-migrate\" value=\"true\"/></meta_attributes><operations><op id=\"vipM-mon\" name=\"monitor\" interval=\"10s\"/></operations></primitive>" \
    || e2e_fail "vipM refused"
cib_do 2 -C -o constraints -X '<rsc_location id="loc-v" rsc="vipM" node="n1" score="INFINITY"/>' || e2e_fail "loc-v refused"
vip_on() { [ "$(vip_nodes "$MVIP" "$NODES")" = "$1" ]; }
wait_until 30 vip_on 1 || e2e_fail "vipM not on n1: [$(vip_nodes "$MVIP" "$NODES")]"
verify_out=$( ( node_exec 1 "$CLUSTER_BIN/crm_verify" -V -L ) 2>&1 ) || true
echo "$verify_out" | matches "primitive 'vipM': allow-migrate is set, but its agent ocf:heartbeat:IPaddr2 has no migrate_to" \
    || e2e_fail "crm_verify does not warn about vipM's allow-migrate: $verify_out"
v1=$(wc -l < "$LAB_ROOT/n1/launcher.log"); v2=$(wc -l < "$LAB_ROOT/n2/launcher.log")
cib_do 3 -M -o constraints -X '<rsc_location id="loc-v" node="n2"/>' || e2e_fail "modify loc-v refused"
wait_until 60 vip_on 2 || e2e_fail "vipM not recovered on n2: [$(vip_nodes "$MVIP" "$NODES")]"
tail -n +"$(( v1 + 1 ))" "$LAB_ROOT/n1/launcher.log" | grep -qE "crmd\[n1\]: result vipM_migrate_to_0 .*(not implemented|unimplemented|error)" \
    || e2e_fail "no failed migrate_to of vipM on n1: $(tail -n +"$(( v1 + 1 ))" "$LAB_ROOT/n1/launcher.log" | grep vipM | head -5)"
tail -n +"$(( v2 + 1 ))" "$LAB_ROOT/n2/launcher.log" | grep -qE "crmd\[n2\]: result vipM_start_0 .*: ok" || e2e_fail "vipM was not started on n2"
e2e_note "allow-migrate without migrate_to (IPaddr2): crm_verify warned; migrate_to failed on n1, vipM recovered by stop and start on n2"
cib_do 1 -D -o constraints -X '<rsc_location id="loc-v"/>' || e2e_fail "delete loc-v refused"

# ---- ticket (#13 must-show 5) ----------------------------------------------------
# rC depends on ticketA (loss-policy=stop): stopped while the ticket was never
# granted, started once crm_ticket grants it on n2, stopped again when n3
# revokes it (which takes --force: without it nothing changes).
ticket() { local k=$1; shift; ( node_exec "$k" "$CLUSTER_BIN/crm_ticket" "$@" ); }
c_was=$(dummy_nodes rC "$NODES")
cib_do 1 -C -o constraints -X '<rsc_ticket id="tk-c" rsc="rC" ticket="ticketA" loss-policy="stop"/>' || e2e_fail "rsc_ticket refused"
wait_on rC "" 30
e2e_note "ticket: rC (was on n$c_was) stopped while ticketA is not granted"
ticket 2 -t ticketA -g --force || e2e_fail "crm_ticket --grant failed"
one_rc() { [ "$(dummy_nodes rC "$NODES" | wc -w)" = 1 ]; }
wait_until 30 one_rc || e2e_fail "rC did not start once ticketA was granted (on [$(dummy_nodes rC "$NODES")])"
ticket 1 -l | matches "^ticketA	granted " || e2e_fail "n1 does not list ticketA as granted: $(ticket 1 -l)"
c_on=$(dummy_nodes rC "$NODES")
e2e_note "ticket: granted on n2, rC started on n$c_on"
rc=0; ticket 3 -t ticketA -r > /dev/null 2>&1 || rc=$?
[ "$rc" = 4 ] || e2e_fail "crm_ticket --revoke without --force exited $rc (want 4)"
sleep 2
[ "$(dummy_nodes rC "$NODES")" = "$c_on" ] || e2e_fail "rC moved though the revoke was refused"
ticket 3 -t ticketA -r --force || e2e_fail "crm_ticket --revoke --force failed"
wait_on rC "" 30
ticket 2 -l | matches "^ticketA	revoked " || e2e_fail "n2 does not list ticketA as revoked: $(ticket 2 -l)"
e2e_note "ticket: revoked on n3 (loss-policy=stop): rC stopped"
cib_do 1 -D -o constraints -X '<rsc_ticket id="tk-c"/>' || e2e_fail "delete tk-c refused"

# ---- rejoin gets the newest CIB ------------------------------------------------
"$LAB/kill-node.sh" 3 >/dev/null
dc=$(wait_one_dc 3 60 "1 2") || e2e_fail "n1, n2 did not agree on a DC after n3's death"
cib_do 1 -M -c -o crm_config -X '<crm_config><cluster_property_set id="cib-bootstrap-options"><nvpair id="opt-marker" name="e2e-marker" value="while-n3-was-down"/></cluster_property_set></crm_config>' \
    || e2e_fail "change while n3 down refused"
cib_do 2 -D -o constraints -X '<rsc_location id="loc-c"/>' || e2e_fail "delete loc-c refused"
wait_until 20 all_have "1 2" "//nvpair[@id='opt-marker']" || e2e_fail "marker not on n1, n2"
want=$(config_id 1)
"$LAB/node-start.sh" 3 >/dev/null
wait_one_dc 3 60 >/dev/null || e2e_fail "n3 did not rejoin"
wait_until 30 _same_config "" || e2e_fail "n3 did not get the newest configuration: n1 $(config_id 1), n3 $(config_id 3)"
[ "$(config_id 3 | cut -d' ' -f2)" = "$(echo "$want" | cut -d' ' -f2)" ] || e2e_fail "n3's configuration is not the one made while it was down"
[ "$(cib 3 | xmllint --xpath "count(//rsc_location[@id='loc-c'])" -)" = 0 ] || e2e_fail "n3 still has loc-c"
e2e_note "n3 rejoined with the newest CIB ($(config_id 3))"
# ---- kept scheduler inputs replay to the same graph (#13 must-show 4) ----------
# Every input a DC kept (on any node: the DC changed when n3 was killed) is
# replayed with crm_simulate; the graph must be the one the DC logged.
replayed=0
for k in $NODES; do
    while read -r path fp; do
        file=$LAB_ROOT/n$k/var-lib-crm/${path#/var/lib/crm/}
        [ -f "$file" ] || e2e_fail "n$k logged $path but kept no such file"
        got=$("$CLUSTER_BIN/crm_simulate" -x "$file" -Q --graph-fingerprint | sed -n 's/^Transition graph fingerprint: \([0-9a-f]*\).*/\1/p')
        [ "$got" = "$fp" ] || e2e_fail "replaying $path (n$k) gives graph $got, the DC ran $fp"
        replayed=$((replayed + 1))
    done < <(sed -n 's/.*scheduler input saved in \([^ ]*\) (graph fingerprint \([0-9a-f]*\),.*/\1 \2/p' "$LAB_ROOT/n$k/launcher.log")
done
[ "$replayed" -ge 10 ] || e2e_fail "only $replayed kept scheduler inputs were logged"
e2e_note "$replayed kept scheduler inputs replayed with crm_simulate: each gives the graph its DC logged"
echo PASS

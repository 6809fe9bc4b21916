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

#!/bin/bash
# e2e (issue 11, must-show 2) on 3 lab nodes with stonith-enabled=true: the
# clone notification variables an agent receives equal the lists the peer's
# rules give for the same transition. A promotable clone of ocf:crm:Stateful
# with notify=true records every action's environment on its node. Four
# kinds of transition run: the clone's start (and first promotion), the stop
# of one instance (a ban), a demote and a promote (the promoted role moved by
# a location rule). The DC keeps every scheduler input (pe-input-N.bz2);
# Debian's crm_simulate computes the peer's graph for each, and every
# notification an agent received must be one of the peer's notify actions
# for the same node with every CRM_meta_notify_* value equal
# (tests/e2e/notify_compare.py).
. "$(dirname "$0")/e2e-lib.sh"
. "$(dirname "$0")/cluster-lib.sh"
need_lab_fencing
PEER_SIMULATE=/usr/sbin/crm_simulate
"$PEER_SIMULATE" --version 2>/dev/null | matches "^Pacemaker 2" || e2e_skip "the peer's crm_simulate (Debian's pacemaker-cli-utils) is not installed"
cluster_begin ntf 3
NODES="1 2 3"
dc=$(wait_one_dc 3 60) || e2e_fail "no single DC"
configure_fencing "$dc" || e2e_fail "fence devices refused"
cib_do "$dc" -M -c -o crm_config -X '<crm_config><cluster_property_set id="cib-bootstrap-options"><nvpair id="opt-stonith" name="stonith-enabled" value="true"/></cluster_property_set></crm_config>' \
    || e2e_fail "stonith-enabled refused"
# settle WHAT: until the policy engine has nothing left to do (crm_resource
# --wait, which does not count notifications, as the peer's) and the DC has
# finished the transition's notifications too (S_IDLE).
dc_idle() { ( node_exec "$dc" "$CLUSTER_BIN/crmadmin" -S "n$dc" -q ) 2>/dev/null | matches -x S_IDLE; }
settle() {
    ( node_exec "$dc" "$CLUSTER_BIN/crm_resource" --wait -T 90s ) > "$LAB_ROOT/wait.out" 2>&1 || e2e_fail "$1 did not settle: $(cat "$LAB_ROOT/wait.out")"
    wait_until 30 dc_idle || e2e_fail "the DC is not idle after $1"
}
roles() {  # "n1=Promoted n2=Unpromoted ..." from crm_mon's XML
    ( node_exec "$dc" "$CLUSTER_BIN/crm_mon" --output-as=xml ) | python3 -c '
import sys, xml.etree.ElementTree as ET
out = []
for r in ET.parse(sys.stdin).getroot().iter("resource"):
    if r.get("id") == "db" and r.get("active") == "true":
        out += ["%s=%s" % (n.get("name"), r.get("role")) for n in r.iter("node")]
print(" ".join(sorted(out)))'
}
settle "fencing setup"

clone='<clone id="db-clone"><meta_attributes id="db-clone-meta"><nvpair id="db-promotable" name="promotable" value="true"/><nvpair id="db-pmax" name="promoted-max" value="1"/><nvpair id="db-notify" name="notify" value="true"/></meta_attributes><primitive id="db" class="ocf" provider="crm" type="Stateful"><instance_attributes id="db-ia"><nvpair id="db-env" name="envfile" value="/run/db.env"/><nvpair id="db-scores" name="scores" value="false"/></instance_attributes><operations><op id="db-mon-p" name="monitor" interval="10s" role="Promoted"/><op id="db-mon-u" name="monitor" interval="11s" role="Unpromoted"/></operations></primitive></clone>'
# Promotion from a location rule (the agent sets no score: a transient
# attribute change would abort the transition before its post-notifications).
first='<rsc_location id="db-promoted-first" rsc="db-clone"><rule id="db-promoted-first-rule" role="Promoted" score="10"><expression id="db-promoted-first-expr" attribute="#uname" operation="eq" value="n1"/></rule></rsc_location>'
cib_do "$dc" -M -c -o configuration -X "<configuration><resources>$clone</resources><constraints>$first</constraints></configuration>" || e2e_fail "clone refused"
settle "the clone's start"
r=$(roles)
[ "$(echo "$r" | tr ' ' '\n' | grep -c '=Promoted$')" = 1 ] && [ "$(echo "$r" | wc -w)" = 3 ] || e2e_fail "not 3 instances with one promoted: $r"
e2e_note "clone started and promoted: $r"

# The stop of one instance: banned from a node that is not promoted.
promoted=$(echo "$r" | tr ' ' '\n' | sed -n 's/^n\([0-9]*\)=Promoted$/\1/p')
unpromoted=$(echo "$r" | tr ' ' '\n' | sed -n 's/^n\([0-9]*\)=Unpromoted$/\1/p')
ban=$(echo "$unpromoted" | head -1)
cib_do "$dc" -M -c -o constraints -X "<constraints><rsc_location id=\"db-not-n$ban\" rsc=\"db-clone\" node=\"n$ban\" score=\"-INFINITY\"/></constraints>" || e2e_fail "ban refused"
settle "the stop on n$ban"
r=$(roles)
[ "$(echo "$r" | wc -w)" = 2 ] && ! echo "$r" | matches "n$ban=" || e2e_fail "the instance on n$ban did not stop: $r"
e2e_note "instance on n$ban stopped: $r"

# A demote and a promote: the promoted role moved to the other running node.
to=$(echo "$unpromoted" | grep -vx "$ban" | head -1)
cib_do "$dc" -M -c -o constraints -X "<constraints><rsc_location id=\"db-promoted-n$to\" rsc=\"db-clone\"><rule id=\"db-promoted-n$to-rule\" role=\"Promoted\" score=\"100\"><expression id=\"db-promoted-n$to-expr\" attribute=\"#uname\" operation=\"eq\" value=\"n$to\"/></rule></rsc_location></constraints>" \
    || e2e_fail "promotion rule refused"
settle "the move of the promoted role"
r=$(roles)
echo "$r" | matches "n$to=Promoted" && echo "$r" | matches "n$promoted=Unpromoted" || e2e_fail "the promoted role did not move from n$promoted to n$to: $r"
e2e_note "promoted role moved from n$promoted to n$to: $r"

# ---- compare with the peer's rules ------------------------------------------
pe_dir=$LAB_ROOT/n$dc/var-lib-crm/pengine
[ -n "$(ls "$pe_dir"/pe-input-*.bz2 "$pe_dir"/pe-warn-*.bz2 2>/dev/null)" ] || e2e_fail "the DC kept no scheduler inputs in $pe_dir"
args=""
for k in $NODES; do
    ( node_exec "$k" cat /run/db.env ) > "$LAB_ROOT/db-n$k.env" 2>/dev/null || true
    args="$args n$k=$LAB_ROOT/db-n$k.env"
done
python3 "$(dirname "$0")/notify_compare.py" "$PEER_SIMULATE" "$pe_dir" $args > "$LAB_ROOT/compare.out" 2>&1 \
    || e2e_fail "notifications differ from the peer's: $(grep -v '^ok' "$LAB_ROOT/compare.out" | head -20)"
summary=$(tail -1 "$LAB_ROOT/compare.out")
for op in start stop promote demote; do
    echo "$summary" | matches -w "$op" || e2e_fail "no $op notification was recorded: $summary"
done
e2e_note "$summary"
cluster_end

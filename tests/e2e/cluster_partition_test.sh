#!/bin/bash
# e2e (must-show 6): a network partition 1,2 | 3 with no-quorum-policy=stop
# and stonith-enabled=false on 3 lab nodes with the whole stack. Three Dummy
# resources r1, r2, r3 prefer n1, n2, n3 (score 100, stickiness 100).
#   split    n3 (minority, no quorum) stops r3; the majority n1+n2 keeps
#            quorum, keeps r1 and r2 and starts r3 on n1 or n2
#   heal     one cluster again, one DC, the same CIB everywhere; sampled every
#            ~0.2 s from the heal until 10 s after it settled, no resource
#            ever runs on two nodes, and at the end each runs exactly once
. "$(dirname "$0")/e2e-lib.sh"
. "$(dirname "$0")/cluster-lib.sh"
cluster_begin cpar 3
NODES="1 2 3"

dummy() {
    echo "<primitive id=\"$1\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\"><operations><op id=\"$1-mon\" name=\"monitor\" interval=\"5s\"/></operations></primitive>"
}
loc() { echo "<rsc_location id=\"loc-$1\" rsc=\"$1\" node=\"$2\" score=\"100\"/>"; }
placement() { echo "r1 [$(dummy_nodes r1 "$NODES")] r2 [$(dummy_nodes r2 "$NODES")] r3 [$(dummy_nodes r3 "$NODES")]"; }

dc=$(wait_one_dc 3 60) || e2e_fail "no single DC"
e2e_note "DC is n$dc"
cib_do 1 -M -c -o crm_config -X '<crm_config><cluster_property_set id="cib-bootstrap-options"><nvpair id="opt-stonith" name="stonith-enabled" value="false"/><nvpair id="opt-nqp" name="no-quorum-policy" value="stop"/></cluster_property_set></crm_config>' \
    || e2e_fail "crm_config refused"
cib_do 1 -M -c -o rsc_defaults -X '<rsc_defaults><meta_attributes id="rsc-options"><nvpair id="rsc-stickiness" name="resource-stickiness" value="100"/></meta_attributes></rsc_defaults>' \
    || e2e_fail "rsc_defaults refused"
cib_do 1 -M -c -o configuration -X "<configuration><resources>$(dummy r1)$(dummy r2)$(dummy r3)</resources><constraints>$(loc r1 n1)$(loc r2 n2)$(loc r3 n3)</constraints></configuration>" \
    || e2e_fail "resources refused"
placed() { [ "$(dummy_nodes r1 "$NODES")" = 1 ] && [ "$(dummy_nodes r2 "$NODES")" = 2 ] && [ "$(dummy_nodes r3 "$NODES")" = 3 ]; }
wait_until 60 placed || e2e_fail "resources not placed on their nodes: $(placement)"
e2e_note "r1, r2, r3 run on n1, n2, n3"
# Split only once every node's CIB records the starts. Known problem
# (E2E_PARTITION_EARLY=1 splits at once and shows it, reliably under ASan):
# a controller that becomes DC without a join round plans on its CIB copy,
# which lags the old DC's op-result writes by up to ~0.5 s; n3 then believes
# r3 is stopped, keeps running it without quorum, and r3 runs twice.
if [ "${E2E_PARTITION_EARLY:-0}" != 1 ]; then
    recorded() {
        local k
        for k in $NODES; do
            [ "$(cib "$k" | xmllint --xpath "count(//node_state/lrm//lrm_rsc_op[@operation='start' and @rc-code='0'])" - 2>/dev/null)" = 3 ] || return 1
        done
    }
    wait_until 30 recorded || e2e_fail "the starts are not recorded in every node's CIB"
    e2e_note "every node's CIB records the three starts"
fi

part_ts=$("$LAB/partition.sh" split 1,2 3 | sed -n 's/^PART_TS=//p')
e2e_note "partition n1,n2 | n3"
split_ok() {
    [ -z "$(dummy_nodes r3 3)" ] && [ "$(dummy_nodes r1 "$NODES")" = 1 ] && [ "$(dummy_nodes r2 "$NODES")" = 2 ] &&
        [ "$(dummy_nodes r3 "$NODES" | wc -w)" = 1 ]
}
# Informational: without fencing the majority does not wait for the minority
# to stop, so r3 may briefly run on both sides (as with the peer).
overlap=""
split_ok_sampled() { [ "$(dummy_nodes r3 "$NODES" | wc -w)" -le 1 ] || overlap="r3 on [$(dummy_nodes r3 "$NODES")] at $(ms_since "$part_ts") ms"; split_ok; }
wait_until 60 split_ok_sampled || e2e_fail "after the split: $(placement); n3 quorate=$(crmd_attr 3 quorate) n1 quorate=$(crmd_attr 1 quorate)"
e2e_note "after $(ms_since "$part_ts") ms: n3 stopped r3, r3 runs on n$(dummy_nodes r3 "$NODES") (majority)"
e2e_note "overlap of r3 during the split (informational): ${overlap:-none seen}"
[ "$(crmd_attr 3 quorate)" = 0 ] || e2e_fail "n3 claims quorum in the minority"
[ "$(crmd_attr 1 quorate)" = 1 ] && [ "$(crmd_attr 2 quorate)" = 1 ] || e2e_fail "majority without quorum"
sleep 3
split_ok || e2e_fail "placement changed while partitioned: $(placement)"
e2e_note "minority without quorum runs nothing; majority runs all three"

"$LAB/partition.sh" heal >/dev/null
e2e_note "healed"
twice=""
sample() {
    local r n
    for r in r1 r2 r3; do
        n=$(dummy_nodes "$r" "$NODES")
        [ "$(echo "$n" | wc -w)" -le 1 ] || twice="$twice $r@[$n]@$(date +%T.%3N)"
    done
}
deadline=$(( $(date +%s) + 60 )); settled_at=""
while [ "$(date +%s)" -lt "$deadline" ]; do
    sample
    if [ -z "$settled_at" ] && wait_one_dc 3 0 >/dev/null 2>&1; then settled_at=$(date +%s); e2e_note "one DC again: n$(wait_one_dc 3 0)"; fi
    [ -n "$settled_at" ] && [ "$(date +%s)" -ge $((settled_at + 10)) ] && break
    sleep 0.2
done
[ -n "$settled_at" ] || e2e_fail "no single DC within 60 s of the heal"
[ -z "$twice" ] || e2e_fail "a resource ran on two nodes after the heal:$twice"
wait_same_cib 30 "$NODES" || e2e_fail "CIBs differ after the heal"
for r in r1 r2 r3; do
    [ "$(dummy_nodes "$r" "$NODES" | wc -w)" = 1 ] || e2e_fail "$r does not run exactly once after the heal: $(placement)"
done
e2e_note "after the heal: $(placement); nothing ran twice"
echo PASS

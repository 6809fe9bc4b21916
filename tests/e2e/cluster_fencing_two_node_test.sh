#!/bin/bash
# e2e (issue 10, must-show 3): a two-node cluster (corosync two_node: 1, so
# each half keeps quorum) split in half, round after round. Fencing on
# (fence_ipmilan through each node's BMC, which stays reachable over the
# management network), stonith-action=off. Each round a resource svc with
# priority 10 runs on one node (alternating); priority-fencing-delay=10s
# delays the fencing of the node that runs it, so that node wins the race:
# it fences the other and survives. Checked every round: exactly one node
# fenced (the one without svc), never both, svc never on both nodes (0.1 s
# sampler), svc running on the survivor. Then heal and power the loser on.
# E2E_ROUNDS (default 2) rounds; the issue's 20 by hand: E2E_ROUNDS=20.
# E2E_TIE_ROUNDS (default 0) more rounds with equal priorities, where
# pcmk_delay_max=10s on both devices breaks the tie only statistically: in
# a measured run round 3 drew ~4 s on both sides and both nodes were fenced
# (the race window is the agent's time to the power cut, ~0.2 s here), so
# these rounds are not part of CI.
. "$(dirname "$0")/e2e-lib.sh"
. "$(dirname "$0")/cluster-lib.sh"
need_lab_fencing
ROUNDS=${E2E_ROUNDS:-2}
TIES=${E2E_TIE_ROUNDS:-0}
cluster_begin c2n 2 --two-node
NODES="1 2"
wait_one_dc 2 60 >/dev/null || e2e_fail "no single DC"
cib_do 1 -M -c -o crm_config -X '<crm_config><cluster_property_set id="cib-bootstrap-options"><nvpair id="opt-stonith" name="stonith-enabled" value="true"/><nvpair id="opt-stonith-action" name="stonith-action" value="off"/><nvpair id="opt-pfd" name="priority-fencing-delay" value="10s"/></cluster_property_set></crm_config>' \
    || e2e_fail "crm_config refused"
cib_do 1 -M -c -o configuration -X "<configuration><resources>$(lab_fence_devices "$NODES")<primitive id=\"svc\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\"><meta_attributes id=\"svc-meta\"><nvpair id=\"svc-priority\" name=\"priority\" value=\"10\"/></meta_attributes><operations><op id=\"svc-mon\" name=\"monitor\" interval=\"5s\"/></operations></primitive></resources><constraints>$(lab_fence_constraints "$NODES")</constraints></configuration>" \
    || e2e_fail "configuration refused"
samples=$LAB_ROOT/samples
: > "$samples"
watch_sampler ""
power() { cat "$(bmc_dir "$1")/power"; }
survivors=""; total=$((ROUNDS + TIES))
for r in $(seq 1 "$total"); do
    want=$(( (r % 2) + 1 )); other=$(( 3 - want ))
    if [ "$r" -gt "$ROUNDS" ] && [ "$r" = $((ROUNDS + 1)) ]; then
        # Equal priorities: no priority delay; random delays decide.
        cib_do 1 -M -c -o resources -X '<resources><primitive id="svc" class="ocf" provider="heartbeat" type="Dummy"><meta_attributes id="svc-meta"><nvpair id="svc-priority" name="priority" value="0"/></meta_attributes></primitive>'"$(for j in $NODES; do printf '<primitive id="fence-n%s" class="stonith" type="fence_ipmilan"><instance_attributes id="fence-n%s-ia"><nvpair id="fence-n%s-dmax" name="pcmk_delay_max" value="10s"/></instance_attributes></primitive>' $j $j $j; done)"'</resources>' \
            || e2e_fail "tie configuration refused"
        e2e_note "from round $r: equal priorities, pcmk_delay_max=10s on both devices"
    fi
    dc=$(wait_one_dc 2 90) || e2e_fail "round $r: no single DC before the split"
    cib_do "$dc" -M -c -o constraints -X "<constraints><rsc_location id=\"svc-here\" rsc=\"svc\" node=\"n$want\" score=\"INFINITY\"/></constraints>" || e2e_fail "constraint refused"
    deadline=$(( $(date +%s) + 60 ))
    until [ "$(dummy_nodes svc "$NODES")" = "$want" ]; do
        [ "$(date +%s)" -lt "$deadline" ] || e2e_fail "round $r: svc not on n$want: [$(dummy_nodes svc "$NODES")]"
        sleep 0.2
    done
    sleep 1
    ( while :; do echo "$(date +%s.%N | cut -c1-14) svc=[$(dummy_nodes svc "$NODES")]" >> "$samples"; sleep 0.1; done ) &
    sampler=$!
    ts=$("$LAB/partition.sh" split 1 2 | sed -n 's/^PART_TS=//p')
    # One node goes off; wait until the fencing has settled.
    deadline=$(( $(date +%s) + 60 ))
    until [ "$(power 1)$(power 2)" != 11 ]; do
        [ "$(date +%s)" -lt "$deadline" ] || e2e_fail "round $r: nobody was fenced"
        sleep 0.2
    done
    sleep 15  # a second fencing (both shot) would land within the delays
    p="$(power 1)$(power 2)"
    [ "$p" != 00 ] || e2e_fail "round $r: both nodes were fenced"
    survivor=$([ "$(power 1)" = 1 ] && echo 1 || echo 2)
    if [ "$r" -le "$ROUNDS" ]; then
        [ "$survivor" = "$want" ] || e2e_fail "round $r: n$survivor survived, not n$want which runs the higher-priority svc"
    fi
    deadline=$(( $(date +%s) + 60 ))
    until [ "$(dummy_nodes svc "$NODES")" = "$survivor" ]; do
        [ "$(date +%s)" -lt "$deadline" ] || e2e_fail "round $r: svc not on the survivor n$survivor: [$(dummy_nodes svc "$NODES")]"
        sleep 0.2
    done
    stop_sampler
    survivors="$survivors n$survivor"
    e2e_note "round $r: svc on n$want; split; n$survivor survived, $(ms_since "$ts") ms; svc on n$survivor"
    "$LAB/partition.sh" heal >/dev/null
    "$LAB/node-start.sh" $((3 - survivor)) >/dev/null
    wait_one_dc 2 90 >/dev/null || e2e_fail "round $r: the fenced node did not rejoin"
    cib_do 1 -D -o constraints -X '<rsc_location id="svc-here"/>' >/dev/null 2>&1 || true
done
bad=$(grep -E 'svc=\[[0-9]+ [0-9]+' "$samples" || true)
[ -z "$bad" ] || e2e_fail "the sampler saw svc on both nodes: $(echo "$bad" | head -3)"
e2e_note "$total rounds, survivors:$survivors; never both fenced; $(grep -c . "$samples") samples, svc never on both"
cluster_end
echo PASS

#!/bin/bash
# e2e (issue 10, must-show 2, the policies e2e_cluster_fencing_isolation
# leaves out): a live node cut off from a 3-node lab (its cluster link down,
# its BMC still reachable) with stonith-enabled=true and fence_ipmilan
# devices (stonith-action=off). It runs the group web (IPaddr2 + Dummy) and
# the promoted instance of a promotable clone db (ocf:crm:Stateful). Its own
# device waits pcmk_delay_base=10s, so its reaction without quorum is seen
# before the majority fences it:
#   no-quorum-policy=demote   it stops the group and demotes db, which keeps
#                             running unpromoted;
#   no-quorum-policy=suicide  it asks to fence itself (it held quorum and
#                             lost it) and is powered off through its BMC.
# In both the majority starts the group and promotes db only after n3's
# fencing is confirmed, and a 0.1 s sampler never sees the IP or the service
# on two nodes, nor db promoted on two.
. "$(dirname "$0")/e2e-lib.sh"
. "$(dirname "$0")/cluster-lib.sh"
need_lab_fencing
cluster_begin cnq 3
NODES="1 2 3"
VIP=${LAB_SUBNET}.100
dc=$(wait_one_dc 3 60) || e2e_fail "no single DC"
FENCING=1 configure_web_group 1 "$VIP" '<rsc_location id="web-prefers-n3" rsc="web" node="n3" score="500"/>' || e2e_fail "configuration refused"
cib_do 1 -M -c -o resources -X '<resources><primitive id="fence-n3" class="stonith" type="fence_ipmilan"><instance_attributes id="fence-n3-ia"><nvpair id="fence-n3-delay" name="pcmk_delay_base" value="10s"/></instance_attributes></primitive></resources>' \
    || e2e_fail "delay refused"
cib_do 1 -C -o resources -X '<clone id="db-clone"><meta_attributes id="db-meta"><nvpair id="db-promotable" name="promotable" value="true"/><nvpair id="db-pmax" name="promoted-max" value="1"/></meta_attributes><primitive id="db" class="ocf" provider="crm" type="Stateful"><operations><op id="db-mon-p" name="monitor" interval="10s" role="Promoted"/><op id="db-mon-u" name="monitor" interval="11s" role="Unpromoted"/></operations></primitive></clone>' \
    || e2e_fail "db refused"
cib_do 1 -C -o constraints -X '<rsc_location id="db-promoted-n3" rsc="db-clone" role="Promoted" node="n3" score="500"/>' \
    || e2e_fail "db's location refused"

# db's role on node K as its agent keeps it (the state file in the node's /run).
db_role() { ( node_exec "$1" sh -c 'cat /run/resource-agents/crm-Stateful-db*.state 2>/dev/null' ) 2>/dev/null || true; }
promoted_on() { local k out=""; for k in ${1:-$NODES}; do [ "$(db_role "$k")" = promoted ] && out="$out $k"; done; echo "${out# }"; }
samples=$LAB_ROOT/samples
sample() {
    while :; do
        echo "$(date +%s.%N | cut -c1-14) vip=[$(vip_nodes "$VIP" "$NODES")] app=[$(dummy_nodes app "$NODES")] db=[$(promoted_on)]" >> "$samples"
        sleep 0.1
    done
}
sample &
watch_sampler $!
off_n3() { [ -z "$(vip_nodes "$VIP" 3)" ] && [ -z "$(dummy_nodes app 3)" ]; }
all_on_n3() { [ "$(wait_running_once "$VIP" app 1 "$NODES")" = 3 ] && [ "$(promoted_on)" = 3 ]; }

for policy in demote suicide; do
    cib_do 1 -M -c -o crm_config -X '<crm_config><cluster_property_set id="cib-bootstrap-options"><nvpair id="opt-nqp" name="no-quorum-policy" value="'$policy'"/></cluster_property_set></crm_config>' \
        || e2e_fail "no-quorum-policy=$policy refused"
    if [ "$policy" = suicide ]; then
        # To fence itself n3 must hold its own device.
        cib_do 1 -D -X '<rsc_location id="fence-n3-not-self"/>' || e2e_fail "could not let n3 hold fence-n3"
    fi
    wait_until 90 all_on_n3 || e2e_fail "[$policy] web and db's promoted instance not on n3: $(where_is "$VIP" app "$NODES"), promoted on [$(promoted_on)]"
    dclog=$LAB_ROOT/n1/launcher.log
    before=$(grep -c "fencing of n3 confirmed" "$dclog" || true)
    ts=$("$LAB/partition.sh" isolate 3 | sed -n 's/^PART_TS=//p')
    e2e_note "[$policy] n3 (running web, db promoted) isolated"
    if [ "$policy" = demote ]; then
        demoted() { off_n3 && [ "$(db_role 3)" = unpromoted ]; }
        wait_until 9 demoted || e2e_fail "[demote] n3 did not stop web and demote db: $(where_is "$VIP" app 3), db on n3: $(db_role 3)"
        e2e_note "[demote] n3 stopped web and demoted db (still running, unpromoted) $(ms_since "$ts") ms after losing quorum"
    else
        asked() { grep -q "crmd\[n3\]: fencing n3 (" "$LAB_ROOT/n3/launcher.log"; }
        wait_until 9 asked || e2e_fail "[suicide] n3 did not ask to fence itself: $(grep 'crmd\[n3\]' "$LAB_ROOT/n3/launcher.log" | tail -5)"
        e2e_note "[suicide] n3 asked to fence itself $(ms_since "$ts") ms after losing quorum"
        powered_off() { [ "$(cat "$(bmc_dir 3)/power")" = 0 ]; }
        wait_until 30 powered_off || e2e_fail "[suicide] n3 is still powered on"
        e2e_note "[suicide] n3 powered off $(ms_since "$ts") ms after the isolation ($(grep -c 'fenced.*targeting n3' "$LAB_ROOT/n3/launcher.log" || true) fencer lines on n3)"
    fi
    [ -z "$(vip_nodes "$VIP" "1 2")$(dummy_nodes app "1 2")$(promoted_on "1 2")" ] \
        || e2e_fail "[$policy] the majority started web or promoted db before n3 was fenced"
    on=$(wait_running_once "$VIP" app 60 "1 2") || e2e_fail "[$policy] web not recovered by the majority: $(where_is "$VIP" app "$NODES")"
    promoted_elsewhere() { [ "$(promoted_on "1 2" | wc -w)" = 1 ]; }
    wait_until 60 promoted_elsewhere || e2e_fail "[$policy] db not promoted on n1 or n2: [$(promoted_on "1 2")]"
    after=$(grep -c "fencing of n3 confirmed" "$dclog" || true)
    [ "$after" -gt "$before" ] || e2e_fail "[$policy] web moved but the DC did not confirm n3's fencing"
    fenced_at=$(grep "fencing of n3 confirmed" "$dclog" | tail -1 | awk '{print $3}')
    started_at=$(grep "result vip_start_0" "$LAB_ROOT/n$on/launcher.log" | tail -1 | awk '{print $3}')
    awk -v f="$fenced_at" -v s="$started_at" 'BEGIN { exit !(f < s) }' || e2e_fail "[$policy] vip started ($started_at) before n3's fencing was confirmed ($fenced_at)"
    e2e_note "[$policy] n3 fenced, then web on n$on and db promoted on n$(promoted_on "1 2"), $(ms_since "$ts") ms after the isolation"
    "$LAB/partition.sh" heal >/dev/null
    "$LAB/node-start.sh" 3 >/dev/null
    wait_one_dc 3 90 >/dev/null || e2e_fail "[$policy] n3 did not rejoin"
    e2e_note "[$policy] healed, n3 powered on and back"
done
stop_sampler
# Back to stop: with suicide, the last node of a cluster stopping at once
# loses quorum and fences itself, as the policy says.
cib_do 1 -M -c -o crm_config -X '<crm_config><cluster_property_set id="cib-bootstrap-options"><nvpair id="opt-nqp" name="no-quorum-policy" value="stop"/></cluster_property_set></crm_config>' \
    || e2e_fail "no-quorum-policy=stop refused"
bad=$(grep -E 'vip=\[[0-9]+ [0-9]+|app=\[[0-9]+ [0-9]+|db=\[[0-9]+ [0-9]+' "$samples" || true)
[ -z "$bad" ] || e2e_fail "the sampler saw web or a promoted db on two nodes: $(echo "$bad" | head -3)"
e2e_note "$(grep -c . "$samples") samples at 0.1 s, none with web or a promoted db on two nodes"
cluster_end
echo PASS

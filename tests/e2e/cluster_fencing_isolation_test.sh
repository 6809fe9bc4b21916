#!/bin/bash
# e2e (issue 10, must-show 2, in part): a live node cut off from the cluster
# (its cluster link down, its BMC still reachable over the management
# network) in a 3-node lab with stonith-enabled=true and fence_ipmilan
# devices (stonith-action=off). Its own device waits pcmk_delay_base=10s, so
# its reaction without quorum can be seen before the majority fences it:
#   no-quorum-policy=stop    the isolated node stops the group at once;
#   no-quorum-policy=freeze  it keeps the group running until it is fenced;
# and in both the majority starts the group only after the fencing is
# confirmed;
#   no-quorum-policy=ignore  both sides race to fence the other and the
#                            delays decide: n3's devices for n1 and n2 have
#                            none, so n3 powers both off first and keeps the
#                            group; the majority's fencing of n3 never comes.
# A 0.1 s sampler never sees the IP or the service on two nodes.
. "$(dirname "$0")/e2e-lib.sh"
. "$(dirname "$0")/cluster-lib.sh"
need_lab_fencing
cluster_begin cfi 3
NODES="1 2 3"
VIP=${LAB_SUBNET}.100
dc=$(wait_one_dc 3 60) || e2e_fail "no single DC"
[ "$dc" = 1 ] || e2e_fail "expected n1 as the DC"
FENCING=1 configure_web_group 1 "$VIP" '<rsc_location id="web-prefers-n3" rsc="web" node="n3" score="500"/>' || e2e_fail "configuration refused"
cib_do 1 -M -c -o resources -X '<resources><primitive id="fence-n3" class="stonith" type="fence_ipmilan"><instance_attributes id="fence-n3-ia"><nvpair id="fence-n3-delay" name="pcmk_delay_base" value="10s"/></instance_attributes></primitive></resources>' \
    || e2e_fail "delay refused"
start_sampler "$VIP" app "$NODES"
on_n3() { [ "$(vip_nodes "$VIP" 3)" = 3 ] && [ "$(dummy_nodes app 3)" = 3 ]; }
off_n3() { [ -z "$(vip_nodes "$VIP" 3)" ] && [ -z "$(dummy_nodes app 3)" ]; }

for policy in stop freeze; do
    cib_do 1 -M -c -o crm_config -X '<crm_config><cluster_property_set id="cib-bootstrap-options"><nvpair id="opt-nqp" name="no-quorum-policy" value="'$policy'"/></cluster_property_set></crm_config>' \
        || e2e_fail "no-quorum-policy refused"
    on=$(wait_running_once "$VIP" app 60 "$NODES") && [ "$on" = 3 ] || e2e_fail "group not on n3: $(where_is "$VIP" app "$NODES")"
    dclog=$LAB_ROOT/n1/launcher.log
    before=$(grep -c "fencing of n3 confirmed" "$dclog" || true)
    ts=$("$LAB/partition.sh" isolate 3 | sed -n 's/^PART_TS=//p')
    e2e_note "[$policy] n3 (running the group) isolated"
    sleep 7  # corosync notices (~2 s); n3's fencing waits 10 s
    if [ "$policy" = stop ]; then
        off_n3 || e2e_fail "[stop] n3 still runs the group 7 s after losing quorum: $(where_is "$VIP" app "$NODES")"
        e2e_note "[stop] n3 stopped the group itself (no quorum)"
    else
        on_n3 || e2e_fail "[freeze] n3 did not keep the group: $(where_is "$VIP" app "$NODES")"
        e2e_note "[freeze] n3 keeps running the group without quorum"
    fi
    [ -z "$(vip_nodes "$VIP" "1 2")$(dummy_nodes app "1 2")" ] || e2e_fail "[$policy] the majority started the group before fencing n3"
    on=$(wait_running_once "$VIP" app 60 "1 2") || e2e_fail "[$policy] group not recovered by the majority: $(where_is "$VIP" app "$NODES")"
    e2e_note "[$policy] group runs on n$on, $(ms_since "$ts") ms after the isolation"
    after=$(grep -c "fencing of n3 confirmed" "$dclog" || true)
    [ "$after" -gt "$before" ] || e2e_fail "[$policy] the group moved but n3 was not fenced"
    fenced_at=$(grep "fencing of n3 confirmed" "$dclog" | tail -1 | awk '{print $3}')
    started_at=$(grep "result vip_start_0" "$LAB_ROOT/n$on/launcher.log" | tail -1 | awk '{print $3}')
    awk -v f="$fenced_at" -v s="$started_at" 'BEGIN { exit !(f < s) }' || e2e_fail "[$policy] vip started ($started_at) before n3's fencing was confirmed ($fenced_at)"
    e2e_note "[$policy] n3 fenced $(awk -v f="$fenced_at" -v t="$ts" 'BEGIN { printf "%d", (f - t) * 1000 }') ms after the isolation (10 s delay), before the start on n$on"
    "$LAB/partition.sh" heal >/dev/null
    "$LAB/node-start.sh" 3 >/dev/null
    wait_one_dc 3 90 >/dev/null || e2e_fail "[$policy] n3 did not rejoin"
    e2e_note "[$policy] healed, n3 powered on and back"
done

policy=ignore
cib_do 1 -M -c -o crm_config -X '<crm_config><cluster_property_set id="cib-bootstrap-options"><nvpair id="opt-nqp" name="no-quorum-policy" value="ignore"/></cluster_property_set></crm_config>' \
    || e2e_fail "no-quorum-policy refused"
on=$(wait_running_once "$VIP" app 60 "$NODES") && [ "$on" = 3 ] || e2e_fail "group not on n3: $(where_is "$VIP" app "$NODES")"
ts=$("$LAB/partition.sh" isolate 3 | sed -n 's/^PART_TS=//p')
e2e_note "[ignore] n3 (running the group) isolated"
off_both() { [ "$(cat "$(bmc_dir 1)/power")$(cat "$(bmc_dir 2)/power")" = 00 ]; }
wait_until 30 off_both || e2e_fail "[ignore] n3 did not fence n1 and n2 (power: n1 $(cat "$(bmc_dir 1)/power") n2 $(cat "$(bmc_dir 2)/power"))"
e2e_note "[ignore] n3 powered n1 and n2 off, $(ms_since "$ts") ms after the isolation"
sleep 12  # past the 10 s delay of the majority's fencing of n3, which died with it
[ "$(cat "$(bmc_dir 3)/power")" = 1 ] || e2e_fail "[ignore] n3 was fenced too"
on_n3 || e2e_fail "[ignore] n3 does not run the group: $(where_is "$VIP" app "$NODES")"
e2e_note "[ignore] n3 survived the race and runs the group"
"$LAB/partition.sh" heal >/dev/null
# Both at once. n1 becomes DC again (lowest id) with a CIB copy older than
# n3's, which still shows n2 unclean: it must wait for the cluster's CIB
# before planning, or it fences n2 again while n2 boots.
"$LAB/node-start.sh" 1 >/dev/null
"$LAB/node-start.sh" 2 >/dev/null
wait_one_dc 3 90 >/dev/null || e2e_fail "[ignore] n1 and n2 did not rejoin"
[ "$(cat "$(bmc_dir 1)/power")$(cat "$(bmc_dir 2)/power")" = 11 ] || e2e_fail "[ignore] a node was fenced again after the heal"
e2e_note "[ignore] healed, n1 and n2 powered on and back"
stop_sampler
bad=$(doubled_samples "$samples")
[ -z "$bad" ] || e2e_fail "the sampler saw the group twice: $(echo "$bad" | head -3)"
e2e_note "$(grep -c . "$samples") samples at 0.1 s, none with the IP or the service on two nodes"
cluster_end
echo PASS

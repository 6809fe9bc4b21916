#!/bin/bash
# e2e: the whole stack on 3 lab nodes (corosync + crm-launcherd -> cibd, lrmd,
# crmd). The nodes form one cluster with exactly one DC that every controller
# agrees on, and every node holds the same CIB. A group (IPaddr2 floating IP +
# Dummy) configured with cibadmin on a non-DC node starts on exactly one node,
# and every node's CIB then records it there.
. "$(dirname "$0")/e2e-lib.sh"
. "$(dirname "$0")/cluster-lib.sh"
cluster_begin cbas 3
NODES="1 2 3"
VIP=${LAB_SUBNET}.100

dc=$(wait_one_dc 3 60) || e2e_fail "no single DC agreed on by all 3 controllers: $(for k in $NODES; do crmd_status "$k"; echo; done)"
e2e_note "one DC: n$dc; states: $(for k in $NODES; do printf 'n%s=%s ' "$k" "$(crmd_attr "$k" state)"; done)"
wait_same_cib 30 "$NODES" || e2e_fail "CIBs differ between nodes"
for k in $NODES; do
    c=$(cib_retry "$k") || e2e_fail "n$k: cibadmin -Q failed"
    [ "$(echo "$c" | grep -c '<node id=')" = 3 ] || e2e_fail "n$k: CIB does not list 3 nodes"
    [ "$(echo "$c" | grep -c 'crmd="online"')" = 3 ] || e2e_fail "n$k: CIB does not show 3 online nodes"
    echo "$c" | matches "dc-uuid=\"$dc\"" || e2e_fail "n$k: CIB dc-uuid is not $dc"
done
e2e_note "all 3 nodes show the same CIB (3 nodes online, dc-uuid=$dc)"

cfg=1; [ "$dc" = 1 ] && cfg=2
configure_web_group "$cfg" "$VIP" || e2e_fail "cibadmin on n$cfg refused the configuration"
e2e_note "group web (vip $VIP + app) configured through cibadmin on n$cfg"
on=$(wait_running_once "$VIP" app 60 "$NODES") || e2e_fail "group not running on exactly one node: $(where_is "$VIP" app "$NODES")"
e2e_note "group web runs on n$on"
# Stays that way (no second copy appears after the transition settles).
sleep 3
now=$(wait_running_once "$VIP" app 1 "$NODES") && [ "$now" = "$on" ] || e2e_fail "group moved or doubled: $(where_is "$VIP" app "$NODES")"
wait_same_cib 30 "$NODES" || e2e_fail "CIBs differ after the start"
for k in $NODES; do
    c=$(cib_retry "$k") || e2e_fail "n$k: cibadmin -Q failed"
    echo "$c" | matches '<group id="web"' || e2e_fail "n$k: no group in the CIB"
    for r in vip app; do
        n=$(echo "$c" | xmllint --xpath "count(//node_state[@id='$on']//lrm_resource[@id='$r']/lrm_rsc_op[@operation='start' and @rc-code='0'])" -)
        [ "$n" = 1 ] || e2e_fail "n$k: CIB does not record the start of $r on n$on"
    done
done
e2e_note "every node's CIB records web started on n$on"
[ "$(wait_one_dc 3 10)" = "$dc" ] || e2e_fail "the DC changed"
cluster_end
echo PASS

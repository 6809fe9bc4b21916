#!/bin/bash
# e2e (issue 16): an iSCSI target as a cluster resource with Debian's
# unchanged agents, on 3 lab nodes with stonith-enabled=true (fence_ipmilan
# through the lab BMCs, stonith-action=off): group iscsi = IPaddr2 .120 +
# ocf:heartbeat:iSCSITarget + ocf:heartbeat:iSCSILogicalUnit, both
# implementation=tgt (the userspace target daemon tgtd, which every node runs
# as a system service would: started by the test, its socket in the node's
# /run), LUN 1 backed by $LAB_ROOT/svc/lun.img, a file every node sees.
# The group prefers a node T that is not the DC.
#  1. libiscsi's userspace initiator (libiscsi-bin: iscsi-ls, iscsi-inq; and
#     iscsi_block.py, libiscsi through ctypes, for a block) on another node
#     logs in through the VIP, sees the LUN and its serial number, and writes
#     a token to block 0 with FUA.
#  2. kill -9 of T (kill-node.sh): T is fenced, the group starts on a
#     survivor after the fencing is confirmed; through the VIP the LUN is
#     listed again and block 0 reads back the token.
# A 0.1 s sampler never sees the VIP or tgtd serving the target on two nodes
# (tgtd runs everywhere; the sampler reads the VIP, the targets each node's
# tgtd has are checked after the failover). docs/services.md.
# Kernel iSCSI initiators and LIO cannot run here (no modules); tgt and
# libiscsi are userspace.
. "$(dirname "$0")/e2e-lib.sh"
. "$(dirname "$0")/cluster-lib.sh"
need_lab_fencing
for p in tgtd tgtadm iscsi-ls iscsi-inq; do
    command -v "$p" >/dev/null || e2e_skip "$p not installed (scripts/setup.sh: tgt, libiscsi-bin)"
done
for a in iSCSITarget iSCSILogicalUnit IPaddr2; do
    [ -x "/usr/lib/ocf/resource.d/heartbeat/$a" ] || e2e_skip "agent ocf:heartbeat:$a not installed"
done
python3 -c 'import ctypes; ctypes.CDLL("libiscsi.so.7")' 2>/dev/null || e2e_skip "libiscsi.so.7 not installed"
cluster_begin svi 3
NODES="1 2 3"
VIP=${LAB_SUBNET}.120
IQN=iqn.2026-12.lab.crm:store
SN=lab$$
SVC=$LAB_ROOT/svc
BLOCK=$E2E_DIR/iscsi_block.py
TOKEN="written-before-the-kill-$$-$RANDOM"
mkdir -p "$SVC"
truncate -s 16M "$SVC/lun.img"

dc=$(wait_one_dc 3 60) || e2e_fail "no single DC"
T=$(echo $NODES | tr ' ' '\n' | grep -vx "$dc" | tail -1)
W=$dc  # the initiator: it survives the kill
for k in $NODES; do ( node_exec "$k" tgtd ) || e2e_fail "tgtd did not start on n$k"; done
tgt_up() { local k; for k in $NODES; do ( node_exec "$k" tgtadm --lld iscsi --op show --mode target ) >/dev/null 2>&1 || return 1; done; }
wait_until 10 tgt_up || e2e_fail "tgtd does not answer on every node"

configure_fenced_services "$dc" || e2e_fail "fencing, stonith-enabled or stickiness refused"
# allowed_initiators=ALL: the agent's own fallback to ALL never applies, as
# its default (empty) is assigned first, and tgt denies every initiator then.
grp="<group id=\"iscsi\">$(ocf_primitive vip heartbeat IPaddr2 ip="$VIP" cidr_netmask=24 nic=eth0)"
grp="$grp$(ocf_primitive target heartbeat iSCSITarget implementation=tgt tid=1 iqn="$IQN" allowed_initiators=ALL)"
grp="$grp$(ocf_primitive lun heartbeat iSCSILogicalUnit implementation=tgt target_iqn="$IQN" lun=1 path="$SVC/lun.img" tgt_bstype=rdwr scsi_sn="$SN")</group>"
cib_do "$dc" -M -c -o configuration -X "<configuration><resources>$grp</resources><constraints><rsc_location id=\"iscsi-prefers\" rsc=\"iscsi\" node=\"n$T\" score=\"50\"/></constraints></configuration>" \
    || e2e_fail "group refused"

lun_listed() { ( node_exec "$W" iscsi-ls -s "iscsi://$VIP" ) 2>&1 | matches "^Lun:1 *Type:DIRECT_ACCESS (Size:15M)"; }
serial() { ( node_exec "$W" iscsi-inq -e 1 -c 128 "iscsi://$VIP/$IQN/1" ) 2>&1 | sed -n 's/^Unit Serial Number:\[ *\(.*\)\]$/\1/p'; }
block0() { ( node_exec "$W" python3 "$BLOCK" "$VIP:3260" "$IQN" 1 "$@" ) 2>&1; }
# targets_on — the nodes whose tgtd has the target.
targets_on() {
    local k out=
    for k in $1; do ( node_exec "$k" tgtadm --lld iscsi --op show --mode target ) 2>/dev/null | matches "$IQN" && out="$out $k"; done
    echo "${out# }"
}
wait_until 60 lun_listed || e2e_fail "iscsi-ls through $VIP does not list LUN 1: $( ( node_exec "$W" iscsi-ls -s "iscsi://$VIP" ) 2>&1)"
[ "$(vip_nodes "$VIP" "$NODES")" = "$T" ] && [ "$(targets_on "$NODES")" = "$T" ] \
    || e2e_fail "not on n$T: VIP [$(vip_nodes "$VIP" "$NODES")], target [$(targets_on "$NODES")]"
[ "$(serial)" = "$SN" ] || e2e_fail "iscsi-inq: serial '$(serial)', not $SN"
out=$(block0 write "$TOKEN") || e2e_fail "writing block 0 through $VIP: $out"
[ "$(block0 read)" = "$TOKEN" ] || e2e_fail "block 0 reads '$(block0 read)'"
e2e_note "the target runs on n$T (DC n$dc): iscsi-ls lists LUN 1 (15M), iscsi-inq its serial $SN, block 0 written and read back through $VIP"
start_service_sampler "$NODES" "$VIP"  # tgtd runs on every node: the VIP alone

ts=$("$LAB/kill-node.sh" "$T" | sed -n 's/^KILL_TS=//p')
e2e_note "kill -9 of n$T"
survivors=$(echo $NODES | tr ' ' '\n' | grep -vx "$T" | tr '\n' ' ')
back() { [ -n "$(vip_nodes "$VIP" "$survivors")" ] && [ "$(block0 read)" = "$TOKEN" ]; }
wait_until 90 back || e2e_fail "block 0 not read back through $VIP: '$(block0 read)', VIP on [$(vip_nodes "$VIP" "$NODES")], target on [$(targets_on "$NODES")]"
Q=$(vip_nodes "$VIP" "$NODES")
e2e_note "block 0 reads the token again through $VIP from n$Q, $(ms_since "$ts") ms after the kill"
lun_listed || e2e_fail "iscsi-ls does not list LUN 1 after the failover"
[ "$(serial)" = "$SN" ] || e2e_fail "iscsi-inq after the failover: serial '$(serial)'"
[ "$(targets_on "$survivors")" = "$Q" ] || e2e_fail "the target is on [$(targets_on "$survivors")], the VIP on n$Q"
fenced_at=$(fenced_before_start "$T" "$Q" target)
e2e_note "n$T fenced ($fenced_at) before the target started on n$Q; iscsi-ls and iscsi-inq see LUN 1 and serial $SN"
check_samples 10 "the VIP"
# tgtd ignores SIGTERM (it stops through tgtadm): SIGKILL the ones this test
# started, or the lab's teardown waits its 10 s grace for them.
for k in $survivors; do
    for p in $(node_pids "$k"); do [ "$(cat "/proc/$p/comm" 2>/dev/null)" = tgtd ] && { kill -KILL "$p" 2>/dev/null || true; }; done
done
cluster_end
echo PASS

#!/bin/bash
# e2e (issue 16, must-show 1): keepalived itself and its import, on the same
# 3-node lab, under the same faults; the placements are compared.
#
# One keepalived.conf per node with two VRRP instances:
#   VI_1 (preempts): priorities n1=150 n2=100 n3=50, address .101;
#   VI_2 (nopreempt): priorities n1=50 n2=100 n3=150, address .102.
# Faults, in order: kill -9 of n1 (the whole node), n1 back, kill -9 of n3,
# n3 back. After the start and after each fault the node holding each
# address is read from the nodes' eth0 (once it is held by exactly one node).
#
#  A. The original: Debian's keepalived in every node (VRRP over the lab
#     network; corosync runs but nothing of ours).
#  B. The import: crm_import keepalived --node nK=FILE ... --cib, loaded into
#     our cluster on a fresh lab (with the lab's fence devices, which the
#     import leaves as a to-do), the same faults (a killed node is fenced,
#     then powered on and rejoins).
# The two sequences must be the same.
. "$(dirname "$0")/e2e-lib.sh"
. "$(dirname "$0")/cluster-lib.sh"
need_lab_fencing
command -v keepalived >/dev/null || e2e_skip "keepalived not installed"
[ -x "$CLUSTER_BIN/crm_import" ] || e2e_skip "no crm_import in CRM_BIN_DIR"
cluster_begin kac 3 --no-daemons
NODES="1 2 3"
IP1=${LAB_SUBNET}.101
IP2=${LAB_SUBNET}.102
K=$LAB_ROOT/keepalived
mkdir -p "$K"
prio1=(0 150 100 50)
prio2=(0 50 100 150)
for k in $NODES; do
    cat > "$K/n$k.conf" <<EOF
! keepalived.conf of n$k
global_defs {
    router_id n$k
}
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 51
    priority ${prio1[$k]}
    advert_int 1
    virtual_ipaddress {
        $IP1/24 dev eth0
    }
}
vrrp_instance VI_2 {
    state BACKUP
    nopreempt
    interface eth0
    virtual_router_id 52
    priority ${prio2[$k]}
    advert_int 1
    virtual_ipaddress {
        $IP2/24 dev eth0
    }
}
EOF
done

# ---- A. keepalived ----------------------------------------------------------
start_keepalived() {
    local k=$1 d; d=$(node_dir "$k")
    ( node_exec "$k" keepalived --dont-fork --log-console --log-detail --vrrp -f "$K/n$k.conf" \
        -p "$d/keepalived.pid" -r "$d/keepalived-vrrp.pid" >> "$d/keepalived.log" 2>&1 & )
}
keepalived_back() { "$LAB/node-start.sh" "$1" >/dev/null && start_keepalived "$1"; }
# VI_2 is nopreempt: at start the first master-down timer to expire takes it,
# and the highest priority (n3) wins only if the instances start together.
# Started one after another, a busy machine could let n2 finish its timer
# before n3's keepalived is up; n3 starts first, a second ahead.
start_keepalived 3; sleep 1
for k in 2 1; do start_keepalived "$k"; done
# A keepalived that starts waits its master-down timer (3 adverts + skew,
# ~3.4 s) before it preempts: placements are read once stable for 5 s.
seq_a=$(HOLDERS_STABLE_S=5 kills_and_returns 40 "$NODES" "$IP1 $IP2" keepalived_back 1 3) || e2e_fail "the faults against keepalived failed"
e2e_note "keepalived: $seq_a (start, n1 killed, n1 back, n3 killed, n3 back)"

# ---- B. the import on our cluster ---------------------------------------------
( cd "$K" && "$CLUSTER_BIN/crm_import" keepalived --node n1=n1.conf --node n2=n2.conf --node n3=n3.conf \
    --cib -o "$K/imported.xml" ) 2> "$K/import.report" || e2e_fail "crm_import failed: $(cat "$K/import.report")"
e2e_note "imported: $(tail -1 "$K/import.report")"
seq_b=$(import_placements "$K/imported.xml" "$IP1 $IP2" "" 1 3) || e2e_fail "the faults against our cluster failed"
e2e_note "ours: $seq_b"
same_placements keepalived "$seq_a" "$seq_b" "1/3 2/3 1/3 1/2 1/2"
cluster_end
echo PASS

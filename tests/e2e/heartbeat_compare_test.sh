#!/bin/bash
# e2e (issue 16, must-show 1): heartbeat 3.0.6 itself (Debian 12's, v1
# resource management: haresources, `crm off`) and its import, on the same
# 2-node lab, under the same faults; the placements are compared.
#
# haresources: n1 IPaddr2::.111/24/eth0 and n2 IPaddr2::.112/24/eth0, ha.cf
# with both nodes, ucast on the lab network, auto_failback on. (heartbeat's
# own resource manager handles two nodes only.) Faults, in order: kill -9 of
# n1 (the whole node), n1 back, kill -9 of n2, n2 back; after the start and
# after each fault the node holding each address is read from eth0.
#
#  A. The original: heartbeat in both nodes, each with its own /etc/ha.d and
#     /var/lib/heartbeat (bind mounts in the node's mount namespace: the lab's
#     nodes share one filesystem).
#  B. The import: crm_import haresources haresources ha.cf --cib loaded into
#     our cluster on a fresh two-node lab (corosync two_node: 1, the lab's
#     fence devices), the same faults (a killed node is fenced, then powered
#     on and rejoins).
. "$(dirname "$0")/e2e-lib.sh"
. "$(dirname "$0")/cluster-lib.sh"
need_lab_fencing
HB=/usr/libexec/heartbeat/heartbeat
[ -x "$HB" ] || e2e_skip "heartbeat not installed"
[ -x "$CLUSTER_BIN/crm_import" ] || e2e_skip "no crm_import in CRM_BIN_DIR"
cluster_begin hbc 2 --no-daemons
NODES="1 2"
IP1=${LAB_SUBNET}.111
IP2=${LAB_SUBNET}.112
H=$LAB_ROOT/heartbeat
mkdir -p "$H"
cat > "$H/ha.cf" <<EOF
udpport 694
keepalive 1
deadtime 5
warntime 3
initdead 10
ucast eth0 $(node_ip 1)
ucast eth0 $(node_ip 2)
auto_failback on
node n1
node n2
crm off
EOF
# IPaddr2 (ip addr): heartbeat's old IPaddr (ifconfig aliases) put the
# address it took over on the alias eth0:0 already holding the node's own
# address, which vanished (measured: after n1's kill n2 held .111 and no
# longer .112) — an agent's fault, not the resource manager's; the import
# maps both to IPaddr2.
printf 'n1 IPaddr2::%s/24/eth0\nn2 IPaddr2::%s/24/eth0\n' "$IP1" "$IP2" > "$H/haresources"
for k in $NODES; do
    d=$H/n$k
    mkdir -p "$d/ha.d" "$d/lib" "$d/log"
    cp -a /etc/ha.d/. "$d/ha.d/"
    cp -a /var/lib/heartbeat/. "$d/lib/"
    rm -f "$d/lib/hb_uuid" "$d/lib/hostcache" "$d/lib/delhostcache"
    { cat "$H/ha.cf"; echo "logfile $d/log/ha-log"; } > "$d/ha.d/ha.cf"
    cp "$H/haresources" "$d/ha.d/haresources"
    printf 'auth 1\n1 sha1 lab-secret\n' > "$d/ha.d/authkeys"
    chmod 600 "$d/ha.d/authkeys"
done
# start_heartbeat K — its mounts go with the node when it is killed: made at
# every start. Returns once the node's heartbeat has finished acquiring its
# resources (a returning node takes its own back, auto_failback, only after
# talking with the other: measuring before that would catch the old placement).
start_heartbeat() {
    local d=$H/n$1 before
    before=0; [ -f "$d/log/ha-log" ] && before=$(wc -l < "$d/log/ha-log")
    ( node_exec "$1" sh -c "mount --bind $d/ha.d /etc/ha.d && mount --bind $d/lib /var/lib/heartbeat && mkdir -p /var/run/heartbeat && $HB" ) \
        >> "$d/log/start.out" 2>&1 || e2e_fail "heartbeat did not start on n$1: $(tail -3 "$d/log/start.out")"
    wait_until 60 sh -c "tail -n +$((before + 1)) '$d/log/ha-log' | grep -q 'Local Resource acquisition completed'" \
        || e2e_fail "heartbeat on n$1 did not acquire its resources: $(tail -5 "$d/log/ha-log")"
}

# ---- A. heartbeat -------------------------------------------------------------
heartbeat_back() { "$LAB/node-start.sh" "$1" >/dev/null && start_heartbeat "$1"; }
for k in $NODES; do start_heartbeat "$k"; done
seq_a=$(kills_and_returns 60 "$NODES" "$IP1 $IP2" heartbeat_back 1 2) || e2e_fail "the faults against heartbeat failed"
e2e_note "heartbeat: $seq_a (start, n1 killed, n1 back, n2 killed, n2 back)"

# ---- B. the import on our cluster -------------------------------------------------
"$CLUSTER_BIN/crm_import" haresources "$H/haresources" "$H/ha.cf" --cib -o "$H/imported.xml" 2> "$H/import.report" \
    || e2e_fail "crm_import failed: $(cat "$H/import.report")"
e2e_note "imported: $(tail -1 "$H/import.report")"
seq_b=$(import_placements "$H/imported.xml" "$IP1 $IP2" "--two-node" 1 2) || e2e_fail "the faults against our cluster failed"
e2e_note "ours: $seq_b"
same_placements heartbeat "$seq_a" "$seq_b" "1/2 2/2 1/2 1/1 1/2"
cluster_end
echo PASS

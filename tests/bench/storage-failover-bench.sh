#!/bin/bash
# storage-failover-bench.sh [--side ours|peer|both] [--rounds R] [--token MS] [--keep]
#
# Benchmark (prints figures, asserts nothing): the replicated storage stack
# (docs/repldisk.md) after kill -9 of the node holding the promoted copy, our
# stack beside Debian's Pacemaker 2.1.5 with the same agents, both in our lab
# (the peer with lab-up.sh --stack peer): a promotable ocf:crm:ReplDisk clone
# (crm-repldisk from CRM_BIN_DIR), a group of ocf:heartbeat:Filesystem (ext4
# on the promoted copy), IPaddr2 and ocf:crm:WebServer, colocated with the
# Promoted instance and ordered after promote; stonith-enabled=true with
# fence_ipmilan through the lab BMCs, stonith-action=off.
#
# Each round kills (SIGKILL, every process) the node whose copy is promoted
# and polls the page on the VIP from a survivor every 50 ms. Measured from the
# kill (median / worst over the rounds):
#   detect     the first survivor's controller logs the membership change
#   confirm    the DC learns the fencing succeeded
#   promoted   the survivor's controller logs the promote of disk as ok
#   answer     the page written before the kill is served on the VIP again
# The killed node is powered on through its BMC; the next round waits until
# its copy is resynced. Labs: sfours / sfpeer (10.99.7 / 10.77.7).
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
SIDE=both ROUNDS=5 TOKEN=1000 KEEP=0
while [ $# -gt 0 ]; do
    case "$1" in
        --side) SIDE=$2; shift 2 ;;
        --rounds) ROUNDS=$2; shift 2 ;;
        --token) TOKEN=$2; shift 2 ;;
        --keep) KEEP=1; shift ;;
        *) sed -n '2,23p' "$0" >&2; exit 2 ;;
    esac
done
[ "$(id -u)" = 0 ] || { echo "needs root" >&2; exit 2; }
command -v ipmi_sim >/dev/null && command -v fence_ipmilan >/dev/null || { echo "needs ipmi_sim and fence_ipmilan" >&2; exit 2; }
[ -e /usr/lib/ocf/resource.d/crm/ReplDisk ] || { echo "ocf:crm:ReplDisk is not installed (scripts/test.sh or scripts/demo.sh installs our agents)" >&2; exit 2; }
OUR_LAB=$top/tests/e2e/lab
PEER_LAB=$OUR_LAB
export PEER_IN_OUR_LAB=1 BENCH_PREFIX=${BENCH_PREFIX:-sf}
OUT=$(mktemp -d /tmp/storage-failover-bench.XXXXXX)
N=3 PORT=8080 DEV=/run/crm-repldisk/r0/device
. "$top/tests/bench/bench-lab-lib.sh"
find_bin_dir crmd cibd crm-launcherd cibadmin crm-repldisk
export CRM_BIN_DIR
[ -x "$CRM_BIN_DIR/crm-repldisk" ] || { echo "no crm-repldisk in $CRM_BIN_DIR" >&2; exit 2; }

vip() { echo "$(subnet "$1").100"; }
mnt() { echo "$(root_of "$1")/data"; }
promoted_on() {  # the node(s) whose ReplDisk agent made the device link
    local s=$1 k out=""
    for k in $(seq 1 "$N"); do [ "${2:-}" = "$k" ] && continue; on "$s" "$k" test -L "$DEV" 2>/dev/null && out="$out $k"; done
    echo $out
}
page() { on "$1" "$2" curl -sf --max-time 1 "http://$(vip "$1"):$PORT/index.html" 2>/dev/null; }
repl_status() { on "$1" "$2" "$CRM_BIN_DIR/crm-repldisk" ctl r0 status 2>/dev/null; }
promote_re() { [ "$1" = ours ] && echo "crmd\[n[0-9]+\]: result disk(:[0-9]+)?_promote_0.*: ok" || echo "Result of promote operation for disk on n[0-9]+: ok"; }

configure() {
    local s=$1 p peers="n1=$(subnet "$1").1 n2=$(subnet "$1").2 n3=$(subnet "$1").3" token
    cibadmin_on "$s" 1 --modify --allow-create -o configuration --xml-text "$(fence_xml "$s")" || return 1
    cibadmin_on "$s" 1 --modify --allow-create -o configuration --xml-text \
        "<configuration><crm_config><cluster_property_set id=\"bench-options\"><nvpair id=\"bench-stonith\" name=\"stonith-enabled\" value=\"true\"/><nvpair id=\"bench-stonith-action\" name=\"stonith-action\" value=\"off\"/></cluster_property_set></crm_config><rsc_defaults><meta_attributes id=\"bench-rsc-defaults\"><nvpair id=\"bench-stickiness\" name=\"resource-stickiness\" value=\"100\"/></meta_attributes></rsc_defaults><resources><clone id=\"disk-clone\"><meta_attributes id=\"disk-clone-meta\"><nvpair id=\"dc-promotable\" name=\"promotable\" value=\"true\"/><nvpair id=\"dc-pmax\" name=\"promoted-max\" value=\"1\"/><nvpair id=\"dc-notify\" name=\"notify\" value=\"true\"/></meta_attributes><primitive id=\"disk\" class=\"ocf\" provider=\"crm\" type=\"ReplDisk\"><instance_attributes id=\"disk-ia\"><nvpair id=\"disk-name\" name=\"name\" value=\"r0\"/><nvpair id=\"disk-peers\" name=\"peers\" value=\"$peers\"/><nvpair id=\"disk-size\" name=\"size\" value=\"32M\"/><nvpair id=\"disk-daemon\" name=\"daemon\" value=\"$CRM_BIN_DIR/crm-repldisk\"/></instance_attributes><operations><op id=\"disk-mon-p\" name=\"monitor\" interval=\"10s\" role=\"Promoted\"/><op id=\"disk-mon-u\" name=\"monitor\" interval=\"11s\" role=\"Unpromoted\"/></operations></primitive></clone></resources></configuration>" || return 1
    local deadline=$((SECONDS + 120))
    until p=$(promoted_on "$s") && [ "$(echo "$p" | wc -w)" = 1 ]; do [ $SECONDS -lt $deadline ] || { echo "$s: no promoted copy"; return 1; }; sleep 1; done
    token="written-before-the-kill-$s"
    on "$s" "$p" sh -ec "mkfs.ext4 -q -F $DEV; d=\$(mktemp -d); mount $DEV \$d; mkdir \$d/www; echo $token > \$d/www/index.html; umount \$d; rmdir \$d" || return 1
    mkdir -p "$(mnt "$s")"
    cibadmin_on "$s" 1 --modify --allow-create -o configuration --xml-text \
        "<configuration><resources><group id=\"site\"><primitive id=\"fs\" class=\"ocf\" provider=\"heartbeat\" type=\"Filesystem\"><instance_attributes id=\"fs-ia\"><nvpair id=\"fs-dev\" name=\"device\" value=\"$DEV\"/><nvpair id=\"fs-dir\" name=\"directory\" value=\"$(mnt "$s")\"/><nvpair id=\"fs-type\" name=\"fstype\" value=\"ext4\"/></instance_attributes><operations><op id=\"fs-mon\" name=\"monitor\" interval=\"10s\"/></operations></primitive><primitive id=\"vip\" class=\"ocf\" provider=\"heartbeat\" type=\"IPaddr2\"><instance_attributes id=\"vip-ia\"><nvpair id=\"vip-ip\" name=\"ip\" value=\"$(vip "$s")\"/><nvpair id=\"vip-cidr\" name=\"cidr_netmask\" value=\"24\"/><nvpair id=\"vip-nic\" name=\"nic\" value=\"eth0\"/></instance_attributes><operations><op id=\"vip-mon\" name=\"monitor\" interval=\"10s\"/></operations></primitive><primitive id=\"www\" class=\"ocf\" provider=\"crm\" type=\"WebServer\"><instance_attributes id=\"www-ia\"><nvpair id=\"www-ip\" name=\"ip\" value=\"$(vip "$s")\"/><nvpair id=\"www-port\" name=\"port\" value=\"$PORT\"/><nvpair id=\"www-root\" name=\"docroot\" value=\"$(mnt "$s")/www\"/></instance_attributes><operations><op id=\"www-mon\" name=\"monitor\" interval=\"10s\"/></operations></primitive></group></resources><constraints><rsc_colocation id=\"site-with-promoted\" rsc=\"site\" with-rsc=\"disk-clone\" with-rsc-role=\"Promoted\" score=\"INFINITY\"/><rsc_order id=\"promote-then-site\" first=\"disk-clone\" first-action=\"promote\" then=\"site\" then-action=\"start\"/><rsc_location id=\"disk-not-outdated\" rsc=\"disk-clone\"><rule id=\"disk-not-outdated-rule\" role=\"Promoted\" score=\"-INFINITY\"><expression id=\"disk-not-outdated-expr\" attribute=\"repldisk-outdated-r0\" operation=\"defined\"/></rule></rsc_location></constraints></configuration>" || return 1
    TOKEN_TEXT=$token
}

# Ready for a round: all nodes online, one promoted copy that serves the page,
# every other copy in sync with it.
ready() {
    local s=$1 p k
    [ "$(online_count "$s" 1)" = "$N" ] || [ "$(online_count "$s" 2)" = "$N" ] || return 1
    p=$(promoted_on "$s"); [ "$(echo "$p" | wc -w)" = 1 ] || return 1
    [ "$(page "$s" $(( p % N + 1 )))" = "$TOKEN_TEXT" ] || return 1
    for k in $(seq 1 "$N"); do
        [ "$k" = "$p" ] && continue
        grep -q "^peer=n$k .* link=InSync" <<< "$(repl_status "$s" "$p")" || return 1
    done
}

run_side() {
    local s=$1 r p watcher kill_ts answer detect confirm promoted t deadline
    echo "== $s: bringing up $N nodes (lab $(lab_name "$s"))"
    side_down "$s"
    side_up "$s" >"$OUT/$s-up.log" 2>&1 || { echo "$s: lab-up failed, see $OUT/$s-up.log"; tail "$OUT/$s-up.log"; return 1; }
    deadline=$((SECONDS + 120))
    until [ -n "$(dc_of "$s" 1)" ]; do [ $SECONDS -lt $deadline ] || { echo "$s: no DC"; return 1; }; sleep 1; done
    configure "$s" >"$OUT/$s-config.log" 2>&1 || { echo "$s: configuration failed (see $OUT/$s-config.log)"; return 1; }
    for r in $(seq 1 "$ROUNDS"); do
        wait_for 180 ready "$s" || { echo "$s round $r: not ready (promoted [$(promoted_on "$s")])"; return 1; }
        p=$(promoted_on "$s"); watcher=$(( p % N + 1 ))
        sleep 2
        kill_ts=$(labcmd "$s" kill-node.sh "$p" | sed -n 's/^KILL_TS=//p')
        answer=""; deadline=$((SECONDS + 120))
        while [ $SECONDS -lt $deadline ]; do
            [ "$(page "$s" "$watcher")" = "$TOKEN_TEXT" ] && { answer=$(now_s); break; }
            sleep 0.05
        done
        sleep 1
        detect=$(first_ts "$s" "$p" "$(detect_re "$s" "$p")" "$kill_ts")
        confirm=$(first_ts "$s" "$p" "$(confirm_re "$s" "$p")" "$kill_ts")
        promoted=$(first_ts "$s" "$p" "$(promote_re "$s")" "$kill_ts")
        printf '%s round %d: killed n%s (promoted): kill->detect=%s ms, kill->confirm=%s ms, kill->promoted=%s ms, kill->answer=%s ms, confirm->answer=%s ms\n' \
            "$s" "$r" "$p" "$(ms "$kill_ts" "$detect")" "$(ms "$kill_ts" "$confirm")" "$(ms "$kill_ts" "$promoted")" \
            "$(ms "$kill_ts" "$answer")" "$(ms "$confirm" "$answer")" | tee -a "$OUT/rounds"
        [ -n "$answer" ] || { echo "$s round $r: the page was not served again within 120 s"; return 1; }
        power_on "$s" "$p"
    done
    [ "$KEEP" = 1 ] || side_down "$s"
}

stats() { field_stats "$1 " "$2"; }  # stats SIDE FIELD

run_sides "$SIDE"
echo
echo "storage-failover-bench: 3 nodes, token ${TOKEN} ms, fencing through the lab BMCs, rounds $ROUNDS; median/worst in ms from the kill"
printf '%-6s %-18s %-18s %-18s %-18s %-18s\n' side "kill->detect" "kill->confirm" "kill->promoted" "kill->answer" "confirm->answer"
for s in peer ours; do
    grep -q "^$s " "$OUT/rounds" 2>/dev/null || continue
    printf '%-6s %-18s %-18s %-18s %-18s %-18s\n' "$s" "$(stats $s "kill->detect")" "$(stats $s "kill->confirm")" \
        "$(stats $s "kill->promoted")" "$(stats $s "kill->answer")" "$(stats $s "confirm->answer")"
done
echo "(rounds and logs in $OUT)"

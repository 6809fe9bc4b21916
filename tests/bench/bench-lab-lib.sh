# shellcheck shell=bash
# bench-lab-lib.sh — helpers shared by failover-bench.sh and cib-changes-bench.sh
# (sourced). Two "sides" on the same kind of 3-node lab: "ours" (our stack,
# tests/e2e/lab, daemons and cibadmin from CRM_BIN_DIR) and "peer" (Debian's
# Pacemaker 2.1.5 on the reference lab PEER_LAB, default /work/shared/lab).
# Needs: top, N, TOKEN, CRM_BIN_DIR, PEER_LAB, OUR_LAB set by the caller
# (TRANSPORT, optional: our lab's corosync transport, lab-up.sh --transport).
# find_bin_dir PROGRAM... — sets CRM_BIN_DIR, unless given, to the first
# build*/bin of the tree that has every PROGRAM.
find_bin_dir() {
    [ -n "${CRM_BIN_DIR:-}" ] && return 0
    local c p ok
    for c in "$top/build/bin" "$top"/build-*/bin; do
        ok=1
        for p in "$@"; do [ -x "$c/$p" ] || { ok=0; break; }; done
        [ $ok = 1 ] && { CRM_BIN_DIR=$c; return 0; }
    done
}
# ---- side abstraction: S = ours | peer -----------------------------------------
BENCH_PREFIX=${BENCH_PREFIX:-fb}   # lab names ${BENCH_PREFIX}ours / ${BENCH_PREFIX}peer
ON_TIMEOUT=${ON_TIMEOUT:-20}
lab_name() { [ "$1" = ours ] && echo "${BENCH_PREFIX}ours" || echo "${BENCH_PREFIX}peer"; }
subnet()   { [ "$1" = ours ] && echo 10.99.7 || echo 10.77.7; }
# PEER_IN_OUR_LAB=1: the peer's stack runs in our lab (lab-up.sh --stack peer:
# Debian's pacemakerd in every node), which also has the BMCs fencing needs.
labdir()   { [ "$1" = ours ] || [ "${PEER_IN_OUR_LAB:-0}" = 1 ] && echo "$OUR_LAB" || echo "$PEER_LAB"; }
mgmt()     { [ "$1" = ours ] && echo 10.98.7 || echo 10.78.7; }
root_of()  { echo "/tmp/$(lab_name "$1")"; }
# on S K CMD... — run on node K of side S
on() {
    local s=$1 k=$2; shift 2
    LAB_NAME=$(lab_name "$s") LAB_SUBNET=$(subnet "$s") LAB_MGMT_SUBNET=$(mgmt "$s") timeout "$ON_TIMEOUT" "$(labdir "$s")/lab-exec.sh" "$k" "$@"
}
labcmd() {  # labcmd S SCRIPT ARGS...
    local s=$1 script=$2; shift 2
    LAB_NAME=$(lab_name "$s") LAB_SUBNET=$(subnet "$s") LAB_MGMT_SUBNET=$(mgmt "$s") "$(labdir "$s")/$script" "$@"
}
cibadmin_on() {
    local s=$1 k=$2; shift 2
    if [ "$s" = ours ]; then on "$s" "$k" "$CRM_BIN_DIR/cibadmin" "$@"; else on "$s" "$k" cibadmin "$@"; fi
}

side_up() {
    local s=$1
    if [ "$s" = ours ]; then
        labcmd ours lab-up.sh "$N" --token "$TOKEN" ${TRANSPORT:+--transport "$TRANSPORT"}
    elif [ "${PEER_IN_OUR_LAB:-0}" = 1 ]; then
        labcmd peer lab-up.sh "$N" --token "$TOKEN" --stack peer
    else
        labcmd peer lab-up.sh "$N" --token "$TOKEN" --token-coefficient 0 --pacemaker
    fi
}
side_down() { labcmd "$1" lab-down.sh --purge >/dev/null 2>&1 || true; }

# cibadmin binary path inside a node of side S
cibadmin_bin() { [ "$1" = ours ] && echo "$CRM_BIN_DIR/cibadmin" || echo cibadmin; }
# CIB query on node K: prints the whole CIB (empty on failure).
cib() { cibadmin_on "$1" "$2" -Q 2>/dev/null; }
dc_of() { cib "$1" "$2" | sed -n 's/.*<cib [^>]*dc-uuid="\([0-9]*\)".*/\1/p' | head -1; }
online_count() { cib "$1" "$2" | grep -o '<node_state [^>]*>' | grep 'crmd="online"' | grep -c 'join="member"'; }
wait_for() {  # wait_for SECONDS CMD...
    local deadline=$((SECONDS + $1)); shift
    until "$@"; do [ $SECONDS -lt $deadline ] || return 1; sleep 0.5; done
}
now_s() { date +%s.%N | cut -c1-14; }

# ---- shared by the failover benches ------------------------------------------
# ms A B — milliseconds from epoch seconds A to B ("-" when either is missing).
ms() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "") print "-"; else printf "%.0f", (b - a) * 1000 }'; }
# log_ts S K ERE AFTER [last] — epoch seconds of the first (or, with "last",
# the last) line matching ERE in node K's logs after AFTER (ours: crmd's
# "... EPOCH.mmm crmd[nK]: ..." lines; the peer: pacemaker.log's
# "Mon DD HH:MM:SS.mmm nK daemon ...", in time order).
log_ts() {
    local s=$1 k=$2 re=$3 after=$4 which=${5:-first} d pick=head
    [ "$which" = last ] && pick=tail
    d=$(root_of "$s")/n$k
    if [ "$s" = ours ]; then
        cat "$d"/launcher.log "$d"/var-log-crm/*.log 2>/dev/null | grep -E "$re" |
            awk -v a="$after" '$3 + 0 > a + 0 { print $3 }' | sort -n | $pick -1
    else
        local lines
        lines=$(grep -E "$re" "$d/var-log-pacemaker/pacemaker.log" 2>/dev/null)
        [ "$which" = last ] && lines=$(printf '%s\n' "$lines" | tail -1)
        printf '%s\n' "$lines" | while read -r mon day hms _; do
            [ -n "$hms" ] || continue
            t=$(date -d "$mon $day $hms" +%s.%N | cut -c1-14)
            awk -v t="$t" -v a="$after" 'BEGIN { exit !(t > a) }' && { echo "$t"; break; }
        done
    fi
}
# cib_version S K — "epoch num_updates" of node K's CIB (empty on failure).
cib_version() {
    cib "$1" "$2" | head -c 4000 | grep -m1 -o '<cib [^>]*>' |
        awk '{ e = ""; u = ""; if (match($0, / epoch="[0-9]+"/)) e = substr($0, RSTART + 8, RLENGTH - 9);
               if (match($0, / num_updates="[0-9]+"/)) u = substr($0, RSTART + 14, RLENGTH - 15); print e, u }'
}
# first_ts S VICTIM ERE AFTER — the earliest match on any node but VICTIM.
first_ts() {
    local s=$1 v=$2 re=$3 after=$4 k t best=""
    for k in $(seq 1 "$N"); do
        [ "$k" = "$v" ] && continue
        t=$(log_ts "$s" "$k" "$re" "$after")
        [ -n "$t" ] && { [ -z "$best" ] || awk -v a="$t" -v b="$best" 'BEGIN{exit !(a<b)}'; } && best=$t
    done
    echo "$best"
}
# in_lab S CMD... — CMD with side S's lab variables and lab-common.sh loaded
# (our lab only: lab_fence_devices, bmc_ip, node_exec, ...).
in_lab() {
    local s=$1; shift
    ( LAB_NAME=$(lab_name "$s") LAB_SUBNET=$(subnet "$s") LAB_MGMT_SUBNET=$(mgmt "$s")
      . "$OUR_LAB/lab-common.sh"; "$@" )
}
# fence_xml S — the lab's fence devices and their constraints (<configuration>).
fence_xml() {
    echo "<configuration><resources>$(in_lab "$1" lab_fence_devices "$(seq -s ' ' 1 "$N")")</resources><constraints>$(in_lab "$1" lab_fence_constraints "$(seq -s ' ' 1 "$N")")</constraints></configuration>"
}
_power_on() { node_exec "$1" fence_ipmilan -a "$(bmc_ip "$2")" -l "$LAB_BMC_USER" -p "$LAB_BMC_PASSWORD" -o on; }
# power_on S V — node V's BMC powers it on (asked from another node); it boots.
power_on() { in_lab "$1" _power_on $(( $2 % N + 1 )) "$2" >/dev/null 2>&1; }
request_re() { [ "$1" = ours ] && echo "crmd\[n[0-9]+\]: fencing n$2 \(" || echo "Requesting fencing \([a-z]+\) (of|targeting) node n$2"; }
confirm_re() { [ "$1" = ours ] && echo "crmd\[n[0-9]+\]: fencing of n$2 confirmed" || echo "Peer n$2 was terminated \([a-z]+\)"; }
detect_re() { [ "$1" = ours ] && echo "membership:.*\(left:( [0-9]+)* $2( |\))" || echo "Node n$2 state is now lost"; }
# field_stats PREFIX FIELD — "median/worst (n=N)" of the "FIELD=V ms" values
# in the $OUT/rounds lines that start with PREFIX ("-" values skipped).
field_stats() {
    grep "^$1" "$OUT/rounds" 2>/dev/null | sed -n "s/.*$2=\([0-9-]*\) ms.*/\1/p" | grep -v '^-$' | sort -n |
        awk '{ v[NR] = $1 } END { if (NR == 0) { print "n/a"; exit } printf "%d/%d (n=%d)", v[int((NR + 1) / 2)], v[NR], NR }'
}
# run_sides SIDE — the caller's run_side for SIDE (both: the peer, then ours);
# both labs are torn down at exit unless KEEP=1.
run_sides() {
    trap '[ "$KEEP" = 1 ] || { side_down ours; side_down peer; }' EXIT
    case "$1" in
        both) run_side peer; run_side ours ;;
        ours|peer) run_side "$1" ;;
        *) echo "--side ours|peer|both" >&2; exit 2 ;;
    esac
}

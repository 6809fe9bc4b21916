# shellcheck shell=bash
# bench-lab-lib.sh — helpers shared by failover-bench.sh and cib-changes-bench.sh
# (sourced). Two "sides" on the same kind of 3-node lab: "ours" (our stack,
# tests/e2e/lab, daemons and cibadmin from CRM_BIN_DIR) and "peer" (Debian's
# Pacemaker 2.1.5 on the reference lab PEER_LAB, default /work/shared/lab).
# Needs: top, N, TOKEN, CRM_BIN_DIR, PEER_LAB, OUR_LAB set by the caller.
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
labdir()   { [ "$1" = ours ] && echo "$OUR_LAB" || echo "$PEER_LAB"; }
root_of()  { echo "/tmp/$(lab_name "$1")"; }
# on S K CMD... — run on node K of side S
on() {
    local s=$1 k=$2; shift 2
    LAB_NAME=$(lab_name "$s") LAB_SUBNET=$(subnet "$s") timeout "$ON_TIMEOUT" "$(labdir "$s")/lab-exec.sh" "$k" "$@"
}
labcmd() {  # labcmd S SCRIPT ARGS...
    local s=$1 script=$2; shift 2
    LAB_NAME=$(lab_name "$s") LAB_SUBNET=$(subnet "$s") "$(labdir "$s")/$script" "$@"
}
cibadmin_on() {
    local s=$1 k=$2; shift 2
    if [ "$s" = ours ]; then on "$s" "$k" "$CRM_BIN_DIR/cibadmin" "$@"; else on "$s" "$k" cibadmin "$@"; fi
}

side_up() {
    local s=$1
    if [ "$s" = ours ]; then
        labcmd ours lab-up.sh "$N" --token "$TOKEN"
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

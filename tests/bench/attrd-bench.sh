#!/bin/bash
# attrd-bench.sh [--side ours|peer|both] [--count M] [--keep]
#
# Benchmark (prints figures, asserts nothing): node attribute updates per
# second through attrd_updater on a 3-node lab, and the CIB changes they
# cause (num_updates on n1), for our attrd and Debian's Pacemaker 2.1.5
# pacemaker-attrd (same lab kind, bench-lab-lib.sh). Every update is one
# attrd_updater process run inside a node (the loop runs in the node).
#   one-node    M x `attrd_updater -n bench1 -U i` on a node that is not the DC
#   all-nodes   the same on the 3 nodes at once, each its own node's value (3*M)
#   dampened    M x `-U i` of an attribute with a 5 s delay, on one node
# "written" is the time from the end of the loop until n1's CIB has the last
# value. Defaults: M=300. Labs: LAB_NAME abours / abpeer.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
SIDE=both COUNT=300 KEEP=0
while [ $# -gt 0 ]; do
    case "$1" in
        --side) SIDE=$2; shift 2 ;;
        --count) COUNT=$2; shift 2 ;;
        --keep) KEEP=1; shift ;;
        *) sed -n '2,16p' "$0" >&2; exit 2 ;;
    esac
done
[ "$(id -u)" = 0 ] || { echo "needs root" >&2; exit 2; }
PEER_LAB=${PEER_LAB:-/work/shared/lab}
OUR_LAB=$top/tests/e2e/lab
N=3 TOKEN=1000 BENCH_PREFIX=ab ON_TIMEOUT=900
. "$top/tests/bench/bench-lab-lib.sh"
find_bin_dir attrd attrd_updater crm-launcherd
export CRM_BIN_DIR
OUT=$(mktemp -d /tmp/attrd-bench.XXXXXX)

au_bin() { [ "$1" = ours ] && echo "$CRM_BIN_DIR/attrd_updater" || echo attrd_updater; }
num_updates() { cib_version "$1" 1 | awk '{ print $2 }'; }
# loop_on S K NAME FROM TO [DELAY]
loop_on() {
    local s=$1 k=$2 name=$3 from=$4 to=$5 delay=${6:-} bin d=""
    bin=$(au_bin "$s")
    [ -n "$delay" ] && d="-d $delay"
    on "$s" "$k" bash -c 'for i in $(seq '"$from $to"'); do '"$bin"' -n '"$name"' -U $i '"$d"' >/dev/null || exit 1; done'
}
written() { grep -q "name=\"$2\" value=\"$3\"" <<< "$(cib "$1" 1)"; }
written_ms() {  # S NAME VALUE T0
    local deadline=$((SECONDS + 60))
    until written "$1" "$2" "$3"; do [ $SECONDS -lt $deadline ] || { echo never; return; }; sleep 0.05; done
    awk -v a="$4" -v b="$(now_s)" 'BEGIN { printf "%.0f", (b - a) * 1000 }'
}
report() { printf '%-5s %-10s %6s updates in %7.2f s = %6s updates/s, %5s CIB changes, written +%s ms\n' "$@" | tee -a "$OUT/results"; }

run_case() {  # S CASE COUNT T0 T1 NU0 NAME VALUE
    local s=$1 c=$2 n=$3 t0=$4 t1=$5 nu0=$6 name=$7 value=$8 w nu1
    w=$(written_ms "$s" "$name" "$value" "$t1")
    sleep 1
    nu1=$(num_updates "$s")
    report "$s" "$c" "$n" "$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}')" \
        "$(awk -v n="$n" -v a="$t0" -v b="$t1" 'BEGIN{printf "%.0f", n/(b-a)}')" "$((nu1 - nu0))" "$w"
}

run_side() {
    local s=$1 dc other t0 t1 nu0 k pids
    echo "== $s: bringing up $N nodes (lab $(lab_name "$s"))"
    side_down "$s"
    side_up "$s" >"$OUT/$s-up.log" 2>&1 || { echo "$s: lab-up failed, see $OUT/$s-up.log"; tail "$OUT/$s-up.log"; return 1; }
    local deadline=$((SECONDS + 120))
    until [ -n "$(dc_of "$s" 1)" ] && [ "$(online_count "$s" 1)" = 3 ]; do
        [ $SECONDS -lt $deadline ] || { echo "$s: no DC / not all online"; return 1; }; sleep 1
    done
    dc=$(dc_of "$s" 1); other=$(( dc % N + 1 ))
    echo "$s: DC is n$dc"
    sleep 3

    nu0=$(num_updates "$s"); t0=$(now_s); loop_on "$s" "$other" bench1 1 "$COUNT"; t1=$(now_s)
    run_case "$s" one-node "$COUNT" "$t0" "$t1" "$nu0" bench1 "$COUNT"

    nu0=$(num_updates "$s"); pids=""; t0=$(now_s)
    for k in 1 2 3; do loop_on "$s" "$k" bench3 1 "$COUNT" & pids="$pids $!"; done
    # shellcheck disable=SC2086
    wait $pids; t1=$(now_s)
    run_case "$s" all-nodes $((3 * COUNT)) "$t0" "$t1" "$nu0" bench3 "$COUNT"

    on "$s" "$other" "$(au_bin "$s")" -n benchd -B 0 -d 5s >/dev/null; sleep 7
    nu0=$(num_updates "$s"); t0=$(now_s); loop_on "$s" "$other" benchd 1 "$COUNT"; t1=$(now_s)
    run_case "$s" dampened "$COUNT" "$t0" "$t1" "$nu0" benchd "$COUNT"
    [ "$KEEP" = 1 ] || side_down "$s"
}

run_sides "$SIDE"
echo
echo "attrd-bench: 3 nodes, one attrd_updater process per update (process start included), M=$COUNT"
cat "$OUT/results"

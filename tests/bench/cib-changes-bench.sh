#!/bin/bash
# cib-changes-bench.sh [--side ours|peer|both] [--count M] [--workers W] [--keep]
#
# Benchmark (prints figures, asserts nothing): CIB changes per second through
# the DC on a 3-node lab, with cibadmin, for our stack and for Debian's
# Pacemaker 2.1.5 (same lab kind, see bench-lab-lib.sh). Every change is one
# cibadmin process run inside a node (the loop runs in the node, so nsenter
# is not counted). Variants:
#   seq-dc      M x `cibadmin --modify` of one crm_config nvpair, on the DC
#   seq-other   the same on a node that is not the DC (request goes to the DC)
#   seq-create  M x `cibadmin --create` of a new nvpair (a growing CIB), non-DC
#   concurrent  W workers on each of the 3 nodes at once, M/W modifies each,
#               each its own nvpair (3*M changes in total)
#   batch       one `cibadmin --modify` carrying M nvpairs (M attribute
#               changes in one request)
# After each variant the last value is awaited on every node; "replicated"
# is the time from the end of the loop until all 3 nodes show it.
# Defaults: M=200, W=2. Labs: LAB_NAME cbours / cbpeer.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
SIDE=both COUNT=200 WORKERS=2 KEEP=0
while [ $# -gt 0 ]; do
    case "$1" in
        --side) SIDE=$2; shift 2 ;;
        --count) COUNT=$2; shift 2 ;;
        --workers) WORKERS=$2; shift 2 ;;
        --keep) KEEP=1; shift ;;
        *) sed -n '2,20p' "$0" >&2; exit 2 ;;
    esac
done
[ "$(id -u)" = 0 ] || { echo "needs root" >&2; exit 2; }
PEER_LAB=${PEER_LAB:-/work/shared/lab}
OUR_LAB=$top/tests/e2e/lab
N=3 TOKEN=1000 BENCH_PREFIX=cb ON_TIMEOUT=600
. "$top/tests/bench/bench-lab-lib.sh"
find_bin_dir crmd cibd crm-launcherd cibadmin
export CRM_BIN_DIR
OUT=$(mktemp -d /tmp/cib-changes-bench.XXXXXX)

rate() { awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN { printf "%.0f", n / (b - a) }'; }
# has_value S K ID VALUE — node K's CIB has nvpair ID with VALUE
has_value() { grep -q "id=\"$3\"[^>]*value=\"$4\"\|value=\"$4\"[^>]*id=\"$3\"" <<< "$(cib "$1" "$2")"; }
all_have() { local k; for k in 1 2 3; do has_value "$1" "$k" "$2" "$3" || return 1; done; }
replicated_ms() {  # S ID VALUE T0 -> ms until all nodes have it (polled)
    local deadline=$((SECONDS + 60))
    until all_have "$1" "$2" "$3"; do [ $SECONDS -lt $deadline ] || { echo "never"; return; }; sleep 0.02; done
    awk -v a="$4" -v b="$(now_s)" 'BEGIN { printf "%.0f", (b - a) * 1000 }'
}

# loop_on S K ID FROM TO [create] — cibadmin loop inside node K
loop_on() {
    local s=$1 k=$2 id=$3 from=$4 to=$5 mode=${6:-modify} bin
    bin=$(cibadmin_bin "$s")
    if [ "$mode" = create ]; then
        on "$s" "$k" bash -c 'for i in $(seq '"$from $to"'); do '"$bin"' --create -o crm_config --xml-text "<cluster_property_set id=\"'"$id"'-$i\"><nvpair id=\"'"$id"'-n$i\" name=\"'"$id"'-$i\" value=\"$i\"/></cluster_property_set>" || exit 1; done'
    else
        on "$s" "$k" bash -c 'for i in $(seq '"$from $to"'); do '"$bin"' --modify -o crm_config --xml-text "<nvpair id=\"'"$id"'\" value=\"$i\"/>" || exit 1; done'
    fi
}

report() { printf '%-5s %-11s %6s changes in %7.2f s = %6s changes/s, replicated to all 3 +%s ms\n' "$@" | tee -a "$OUT/results"; }

run_side() {
    local s=$1 dc other t0 t1 rep w k pids per nv
    echo "== $s: bringing up $N nodes (lab $(lab_name "$s"))"
    side_down "$s"
    side_up "$s" >"$OUT/$s-up.log" 2>&1 || { echo "$s: lab-up failed, see $OUT/$s-up.log"; tail "$OUT/$s-up.log"; return 1; }
    local deadline=$((SECONDS + 120))
    until [ -n "$(dc_of "$s" 1)" ] && [ "$(online_count "$s" 1)" = 3 ]; do
        [ $SECONDS -lt $deadline ] || { echo "$s: no DC / not all online"; return 1; }; sleep 1
    done
    dc=$(dc_of "$s" 1); other=$(( dc % N + 1 ))
    echo "$s: DC is n$dc"
    nv='<cluster_property_set id="bench-cs">'
    for w in $(seq 0 $((3 * WORKERS))); do nv="$nv<nvpair id=\"bench-v$w\" name=\"bench-v$w\" value=\"0\"/>"; done
    nv="$nv</cluster_property_set>"
    cibadmin_on "$s" 1 --create -o crm_config --xml-text "$nv" || { echo "$s: setup failed"; return 1; }
    sleep 1

    t0=$(now_s); loop_on "$s" "$dc" bench-v0 1 "$COUNT"; t1=$(now_s)
    report "$s" seq-dc "$COUNT" "$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}')" "$(rate "$COUNT" "$t0" "$t1")" "$(replicated_ms "$s" bench-v0 "$COUNT" "$t1")"
    t0=$(now_s); loop_on "$s" "$other" bench-v0 $((COUNT + 1)) $((2 * COUNT)); t1=$(now_s)
    report "$s" seq-other "$COUNT" "$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}')" "$(rate "$COUNT" "$t0" "$t1")" "$(replicated_ms "$s" bench-v0 $((2 * COUNT)) "$t1")"
    t0=$(now_s); loop_on "$s" "$other" bench-c 1 "$COUNT" create; t1=$(now_s)
    report "$s" seq-create "$COUNT" "$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}')" "$(rate "$COUNT" "$t0" "$t1")" "$(replicated_ms "$s" "bench-c-n$COUNT" "$COUNT" "$t1")"

    per=$(( COUNT / WORKERS )); pids=""; w=0
    t0=$(now_s)
    for k in 1 2 3; do for _ in $(seq 1 "$WORKERS"); do
        w=$((w + 1)); loop_on "$s" "$k" "bench-v$w" 1 "$per" & pids="$pids $!"
    done; done
    # shellcheck disable=SC2086
    wait $pids; t1=$(now_s)
    rep="$(replicated_ms "$s" "bench-v$w" "$per" "$t1")"
    report "$s" concurrent $((per * w)) "$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}')" "$(rate $((per * w)) "$t0" "$t1")" "$rep"

    nv='<cluster_property_set id="bench-batch">'
    for w in $(seq 1 "$COUNT"); do nv="$nv<nvpair id=\"bench-b$w\" name=\"bench-b$w\" value=\"0\"/>"; done
    cibadmin_on "$s" "$other" --create -o crm_config --xml-text "$nv</cluster_property_set>" >/dev/null
    nv='<cluster_property_set id="bench-batch">'
    for w in $(seq 1 "$COUNT"); do nv="$nv<nvpair id=\"bench-b$w\" value=\"1\"/>"; done
    t0=$(now_s); cibadmin_on "$s" "$other" --modify -o crm_config --xml-text "$nv</cluster_property_set>"; t1=$(now_s)
    report "$s" batch "$COUNT" "$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}')" "$(rate "$COUNT" "$t0" "$t1")" "$(replicated_ms "$s" "bench-b$COUNT" 1 "$t1")"
    [ "$KEEP" = 1 ] || side_down "$s"
}

run_sides "$SIDE"
echo
echo "cib-changes-bench: 3 nodes, cibadmin per change (process start included), M=$COUNT, workers/node=$WORKERS"
cat "$OUT/results"

#!/bin/bash
# cib-changes-bench.sh [--side ours|peer|both] [--count M] [--workers W]
#                      [--cib empty|large|both] [--variants LIST] [--window P] [--keep]
#
# Benchmark (prints figures, asserts nothing): CIB changes per second through
# the DC on a 3-node lab, for our stack and for Debian's Pacemaker 2.1.5
# (same lab kind, see bench-lab-lib.sh). Variants (--variants, comma list,
# default all):
#   seq-dc      M x `cibadmin --modify` of one crm_config nvpair, on the DC
#   seq-other   the same on a node that is not the DC (request goes to the DC)
#   seq-create  M x `cibadmin --create` of a new nvpair (a growing CIB), non-DC
#   concurrent  W workers on each of the 3 nodes at once, M/W modifies each,
#               each its own nvpair (3*M changes in total)
#   batch       one `cibadmin --modify` carrying M nvpairs (M attribute
#               changes in one request)
#   client      one persistent client on the DC (cib_client_bench, the peer's
#               peer_cib_client_bench over libcib): 5*M configuration changes
#               and 5*M status changes (a transient attribute), each waited
#               for (window 1), then with P requests in flight (--window,
#               default 32: ours pipelined, the peer's asynchronous calls)
#   client-all  the same persistent client on every node at once (window P),
#               configuration changes
# Every cibadmin variant runs one cibadmin process per change inside a node
# (the loop runs in the node, so nsenter is not counted; process start is).
# After each variant the last value is awaited on every node; "replicated"
# is the time from the end of the loop until all 3 nodes show it.
# --cib large: the variants run again after the whole CIB was replaced by
# the 16n-2000p-running scheduler input (shared/scheduler-cases-large,
# generated once into $BENCH_DATA, default /var/tmp/crm-bench-data) with
# maintenance-mode=true (nothing is started, stopped or monitored) and
# node1..node3 renamed n1..n3, the lab's nodes.
# Defaults: M=200, W=2, --cib empty. Labs: LAB_NAME cbours / cbpeer.
# LARGE_WAIT=S: how long a side may take to have a DC again after the
# large CIB replaced its own (default 300).
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
SIDE=both COUNT=200 WORKERS=2 KEEP=0 CIBS=empty WINDOW=32
VARIANTS=seq-dc,seq-other,seq-create,concurrent,batch,client,client-all
while [ $# -gt 0 ]; do
    case "$1" in
        --side) SIDE=$2; shift 2 ;;
        --count) COUNT=$2; shift 2 ;;
        --workers) WORKERS=$2; shift 2 ;;
        --cib) CIBS=$2; shift 2 ;;
        --variants) VARIANTS=$2; shift 2 ;;
        --window) WINDOW=$2; shift 2 ;;
        --keep) KEEP=1; shift ;;
        *) sed -n '2,34p' "$0" >&2; exit 2 ;;
    esac
done
[ "$CIBS" = both ] && CIBS="empty large"
# The peer's IPC refuses a message over its buffer (128 KiB by default,
# "Communication error on send" for the 18 MB CIB): its daemons and tools
# in the lab inherit a larger one.
[[ " $CIBS " == *" large "* ]] && export PCMK_ipc_buffer=${PCMK_ipc_buffer:-20971520}
wants() { [[ ",$VARIANTS," == *",$1,"* ]]; }
[ "$(id -u)" = 0 ] || { echo "needs root" >&2; exit 2; }
PEER_LAB=${PEER_LAB:-/work/shared/lab}
OUR_LAB=$top/tests/e2e/lab
N=3 TOKEN=1000 BENCH_PREFIX=cb ON_TIMEOUT=600
. "$top/tests/bench/bench-lab-lib.sh"
find_bin_dir crmd cibd crm-launcherd cibadmin crmadmin
export CRM_BIN_DIR
BENCH_DIR=${BENCH_DIR:-$(dirname "$CRM_BIN_DIR")/bench}
OUT=$(mktemp -d /tmp/cib-changes-bench.XXXXXX)
BENCH_DATA=${BENCH_DATA:-/var/tmp/crm-bench-data}

rate() { awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN { printf "%.0f", n / (b - a) }'; }
# has_value S K ID VALUE — node K's CIB has nvpair ID with VALUE (an XPath
# query: the whole CIB of the large variant is megabytes)
has_value() {
    local got
    got=$(cibadmin_on "$1" "$2" -Q --xpath "//nvpair[@id='$3']" 2>/dev/null)
    [[ "$got" == *"value=\"$4\""* ]]
}
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

CIB_KIND=empty
report() { printf '%-5s %-5s %-18s %6s changes in %7.2f s = %6s changes/s, replicated to all 3 +%s ms\n' "$1" "$CIB_KIND" "${@:2}" | tee -a "$OUT/results"; }

# The 16n-2000p-running input, made once by the generator (README arguments).
large_input() {
    local dir=$BENCH_DATA/16n-2000p-running
    if [ ! -s "$dir/input.xml" ]; then
        mkdir -p "$dir"
        python3 /work/shared/scheduler-cases-large/gen_large_cib.py --nodes 16 --primitives 2000 --groups 200 \
            --state running --standby 1 --fail 10 >"$dir/input.xml" || return 1
    fi
    echo "$dir/input.xml"
}
# load_large S — the whole CIB replaced by the large input, maintenance-mode
# on, node1..3 named as the lab's nodes; waits until the DC is back.
load_large() {
    local s=$1 input cib_file
    input=$(large_input) || { echo "$s: cannot generate the large input"; return 1; }
    cib_file=$OUT/large-$s.xml
    sed -e 's/"node\([123]\)"/"n\1"/g' \
        -e 's|<cluster_property_set id="cib-bootstrap-options">|&<nvpair id="bench-maintenance" name="maintenance-mode" value="true"/>|' \
        "$input" >"$cib_file"
    grep -q 'bench-maintenance' "$cib_file" || { echo "$s: no cib-bootstrap-options in the large input"; return 1; }
    # The version must be newer than the running CIB's, or the replacement is refused as outdated.
    sed -i -e '0,/<cib /s/ epoch="[0-9]*"/ epoch="100000"/' "$cib_file"
    local t0 t1
    t0=$(now_s)
    ON_TIMEOUT=900 cibadmin_on "$s" 1 -t 850 --replace --xml-file "$cib_file" || { echo "$s: loading the large CIB failed"; return 1; }
    t1=$(now_s)
    echo "$s: large CIB loaded in $(ms "$t0" "$t1") ms"
    # A DC as the controllers say it (crmadmin -D: the replacement carries
    # the input's dc-uuid, so the CIB alone cannot tell), within LARGE_WAIT s.
    local deadline=$((SECONDS + ${LARGE_WAIT:-300}))
    local crmadmin=crmadmin
    [ "$s" = ours ] && crmadmin=$CRM_BIN_DIR/crmadmin
    until ON_TIMEOUT=60 on "$s" 1 "$crmadmin" -D -t 30000 2>/dev/null | grep -q "Designated Controller is: ." &&
          has_value "$s" 1 bench-maintenance true; do
        [ $SECONDS -lt $deadline ] || { echo "$s: no DC after loading the large CIB"; return 1; }; sleep 2
    done
    sleep 5  # the joins and probes the replacement sets off
}

# client_on S K KIND TAG WINDOW [--pipelined-only] — the persistent-client bench inside node K
client_on() {
    local s=$1 k=$2 kind=$3 tag=$4 window=$5
    if [ "$s" = ours ]; then
        ON_TIMEOUT=600 on "$s" "$k" "$BENCH_DIR/cib_client_bench" --count $((5 * COUNT)) --kind "$kind" --tag "$tag" --window "$window" --node-id "$k" "${@:6}"
    else
        # The peer's client: each change waited for, then W in flight
        # (asynchronous calls with callbacks), as ours.
        if [ "${6:-}" != --pipelined-only ]; then
            ON_TIMEOUT=600 on "$s" "$k" "$BENCH_DIR/peer_cib_client_bench" $((5 * COUNT)) "$kind" "$tag" "$k" 1
        fi
        if [ "$window" -gt 1 ]; then
            ON_TIMEOUT=600 on "$s" "$k" "$BENCH_DIR/peer_cib_client_bench" $((5 * COUNT)) "$kind" "$tag" "$k" "$window"
        fi
    fi
}
# client_report S NAME LOGFILE ID VALUE T1 — a report line per run the bench printed
client_report() {
    local s=$1 name=$2 log=$3 rep line n secs rate w
    rep=$(replicated_ms "$s" "$4" "$5" "$6")
    while read -r line; do
        # client <kind> window <W>: <N> changes in <s> s = <rate> changes/s, <ms> ms per change
        w=$(awk '{ print $4 }' <<< "$line" | tr -d :); n=$(awk '{ print $5 }' <<< "$line")
        secs=$(awk '{ print $8 }' <<< "$line"); rate=$(awk '{ print $11 }' <<< "$line")
        report "$s" "$name/w$w" "$n" "$secs" "$rate" "$rep"
        echo "      $(sed 's/.*changes\/s, //' <<< "$line")" | tee -a "$OUT/results"
    done < <(grep '^client ' "$log")
}

run_side() {
    local s=$1 dc
    echo "== $s: bringing up $N nodes (lab $(lab_name "$s"))"
    side_down "$s"
    side_up "$s" >"$OUT/$s-up.log" 2>&1 || { echo "$s: lab-up failed, see $OUT/$s-up.log"; tail "$OUT/$s-up.log"; return 1; }
    local deadline=$((SECONDS + 120))
    until [ -n "$(dc_of "$s" 1)" ] && [ "$(online_count "$s" 1)" = 3 ]; do
        [ $SECONDS -lt $deadline ] || { echo "$s: no DC / not all online"; return 1; }; sleep 1
    done
    for CIB_KIND in $CIBS; do
        if [ "$CIB_KIND" = large ]; then load_large "$s" || return 1; fi
        dc=$(dc_of "$s" 1)
        echo "$s: DC is n$dc; the CIB holds $(cib "$s" "$dc" | wc -c) bytes"
        run_variants "$s" "$dc"
    done
    stability "$s"
    [ "$KEEP" = 1 ] || side_down "$s"
}

# stability S — what the nodes' logs say about daemon restarts and DC
# changes over the whole run (issue 15 asks for none under any variant).
# Ours: the launcher's "respawning" lines and the controllers' "DC is now
# node" lines (one per node at the first election is expected). The peer:
# pacemakerd's "Respawning" and the controllers' elections.
stability() {
    local s=$1 k f restarts=0 dc_lines=0 root
    root=$(root_of "$s")
    for k in $(seq 1 "$N"); do
        for f in "$root/n$k"/*.log; do
            [ -f "$f" ] || continue
            restarts=$((restarts + $(grep -c -i "respawning" "$f" || true)))
            dc_lines=$((dc_lines + $(grep -c -E "DC is now node|Set DC to|State transition .* -> S_ELECTION" "$f" || true)))
        done
    done
    printf '%-5s stability: %d daemon restart(s); %d DC-change/election log line(s) on %d nodes (%d expected at the first election)\n' \
        "$s" "$restarts" "$dc_lines" "$N" "$N" | tee -a "$OUT/results"
}

run_variants() {
    local s=$1 dc=$2 other t0 t1 rep w k pids per nv p=$CIB_KIND
    other=$(( dc % N + 1 ))
    nv="<cluster_property_set id=\"bench-cs-$p\">"
    for w in $(seq 0 $((3 * WORKERS))); do nv="$nv<nvpair id=\"bench-v$w-$p\" name=\"bench-v$w-$p\" value=\"0\"/>"; done
    nv="$nv</cluster_property_set>"
    cibadmin_on "$s" 1 --create -o crm_config --xml-text "$nv" || { echo "$s: setup failed"; return 1; }
    sleep 1

    if wants seq-dc; then
        t0=$(now_s); loop_on "$s" "$dc" "bench-v0-$p" 1 "$COUNT"; t1=$(now_s)
        report "$s" seq-dc "$COUNT" "$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}')" "$(rate "$COUNT" "$t0" "$t1")" "$(replicated_ms "$s" "bench-v0-$p" "$COUNT" "$t1")"
    fi
    if wants seq-other; then
        t0=$(now_s); loop_on "$s" "$other" "bench-v0-$p" $((COUNT + 1)) $((2 * COUNT)); t1=$(now_s)
        report "$s" seq-other "$COUNT" "$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}')" "$(rate "$COUNT" "$t0" "$t1")" "$(replicated_ms "$s" "bench-v0-$p" $((2 * COUNT)) "$t1")"
    fi
    if wants seq-create; then
        t0=$(now_s); loop_on "$s" "$other" "bench-c-$p" 1 "$COUNT" create; t1=$(now_s)
        report "$s" seq-create "$COUNT" "$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}')" "$(rate "$COUNT" "$t0" "$t1")" "$(replicated_ms "$s" "bench-c-$p-n$COUNT" "$COUNT" "$t1")"
    fi
    if wants concurrent; then
        per=$(( COUNT / WORKERS )); pids=""; w=0
        t0=$(now_s)
        for k in 1 2 3; do for _ in $(seq 1 "$WORKERS"); do
            w=$((w + 1)); loop_on "$s" "$k" "bench-v$w-$p" 1 "$per" & pids="$pids $!"
        done; done
        # shellcheck disable=SC2086
        wait $pids; t1=$(now_s)
        rep="$(replicated_ms "$s" "bench-v$w-$p" "$per" "$t1")"
        report "$s" concurrent $((per * w)) "$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}')" "$(rate $((per * w)) "$t0" "$t1")" "$rep"
    fi
    if wants batch; then
        nv="<cluster_property_set id=\"bench-batch-$p\">"
        for w in $(seq 1 "$COUNT"); do nv="$nv<nvpair id=\"bench-b$w-$p\" name=\"bench-b$w-$p\" value=\"0\"/>"; done
        cibadmin_on "$s" "$other" --create -o crm_config --xml-text "$nv</cluster_property_set>" >/dev/null
        nv="<cluster_property_set id=\"bench-batch-$p\">"
        for w in $(seq 1 "$COUNT"); do nv="$nv<nvpair id=\"bench-b$w-$p\" value=\"1\"/>"; done
        t0=$(now_s); cibadmin_on "$s" "$other" --modify -o crm_config --xml-text "$nv</cluster_property_set>"; t1=$(now_s)
        report "$s" batch "$COUNT" "$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}')" "$(rate "$COUNT" "$t0" "$t1")" "$(replicated_ms "$s" "bench-b$COUNT-$p" 1 "$t1")"
    fi
    if wants client; then
        local kind log last id node_id
        for kind in config status; do
            log=$OUT/$s-$p-client-$kind.log
            client_on "$s" "$dc" "$kind" "c$kind$p" "$WINDOW" >"$log" 2>&1; t1=$(now_s)
            last=$(sed -n 's/^last value //p' "$log")
            [ -n "$last" ] || { echo "$s: client $kind failed: $(tail -3 "$log")"; continue; }
            id="cib-client-bench-c$kind$p"
            if [ "$kind" = status ]; then
                node_id=$(cibadmin_on "$s" "$dc" -Q --xpath "//nvpair[@name='$id']" 2>/dev/null | sed -n 's/.*id="status-\([^"]*\)-cib-client-bench.*/\1/p' | head -1)
                id="status-$node_id-$id"
            fi
            client_report "$s" "client-$kind" "$log" "$id" "$last" "$t1"
        done
    fi
    if wants client-all; then
        local window=$WINDOW total=0 secs log
        pids=""
        t0=$(now_s)
        for k in 1 2 3; do client_on "$s" "$k" config "all$k$p" "$window" --pipelined-only >"$OUT/$s-$p-all-$k.log" 2>&1 & pids="$pids $!"; done
        # shellcheck disable=SC2086
        wait $pids; t1=$(now_s)
        for k in 1 2 3; do
            log=$OUT/$s-$p-all-$k.log
            total=$((total + $(grep -c '^client ' "$log") * 5 * COUNT))
        done
        last=$(sed -n 's/^last value //p' "$OUT/$s-$p-all-3.log")
        rep=$(replicated_ms "$s" "cib-client-bench-all3$p" "$last" "$t1")
        secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN{print b-a}')
        report "$s" client-all "$total" "$secs" "$(rate "$total" "$t0" "$t1")" "$rep"
    fi
}

run_sides "$SIDE"
echo
echo "cib-changes-bench: 3 nodes, M=$COUNT, cibadmin workers/node=$WORKERS, client window $WINDOW (ours), CIB: $CIBS"
cat "$OUT/results"

#!/bin/bash
# mass-failover-bench.sh [--side ours|peer|both] [--resources N] [--monitor S]
#                        [--batch-limit B] [--node-action-limit L] [--token MS] [--keep]
#
# Benchmark (prints figures, asserts nothing): the failover of N resources at
# once. On a 3-node lab, N ocf:heartbeat:Dummy primitives (each with a
# recurring monitor every S seconds, default 120) all run on one node, n3:
# they are started while n1 and n2 are in standby, which is then lifted
# (resource-stickiness=100 keeps them). Every process of n3 then gets SIGKILL
# (kill-node.sh, KILL_TS), with fencing off, as failover-bench.sh does.
# Measured per side:
#   detect      kill -> the first survivor's membership change (corosync's part)
#   last-start  detect -> the last of the N starts on a survivor, from the
#               controllers' logs (ours: crmd "result dK_start_0 ... ok"; the
#               peer: "Result of start operation for dK on nX: ok")
#   all-seen    kill -> a probe (every 0.5 s) finds all N Dummy state files
#               in the survivors' /run, each on exactly one survivor
#   changes     CIB changes from just before the kill to the settled cluster:
#               num_updates after minus before, on a survivor (with the epoch
#               unchanged; a configuration change would reset num_updates)
#   once        at the end every resource runs exactly once ("yes"), or the
#               resources found twice or missing
#   memory      before the kill, settled: PSS and RSS of every daemon on
#               every node (issue 15's benchmark 3 at N resources)
# Both sides run with the same batch-limit (default 30), node-action-limit
# (default 0: twice the cores) and load-threshold (80%: the peer's default;
# our stack does not throttle on load), printed with the figures. Our side
# runs the daemons of CRM_BIN_DIR (default: build/bin, a release build).
# ON_KILL='CMD': run CMD in the background right after the kill (a profiler:
# ON_KILL='perf record -a -g -o /tmp/mf.perf -- sleep 20').
# Labs: LAB_NAME mfours / mfpeer (the peer's stack in our lab, lab-up.sh
# --stack peer, so both have the same corosync setup), torn down at the end
# unless --keep.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
SIDE=both RESOURCES=100 MONITOR=120 TOKEN=1000 KEEP=0 BATCH_LIMIT=30 NODE_ACTION_LIMIT=0 LOAD_THRESHOLD=80%
while [ $# -gt 0 ]; do
    case "$1" in
        --side) SIDE=$2; shift 2 ;;
        --resources) RESOURCES=$2; shift 2 ;;
        --monitor) MONITOR=$2; shift 2 ;;
        --batch-limit) BATCH_LIMIT=$2; shift 2 ;;
        --node-action-limit) NODE_ACTION_LIMIT=$2; shift 2 ;;
        --token) TOKEN=$2; shift 2 ;;
        --keep) KEEP=1; shift ;;
        *) sed -n '2,33p' "$0" >&2; exit 2 ;;
    esac
done
[ "$(id -u)" = 0 ] || { echo "needs root" >&2; exit 2; }
OUR_LAB=$top/tests/e2e/lab
PEER_LAB=$OUR_LAB
export PEER_IN_OUR_LAB=1 BENCH_PREFIX=${BENCH_PREFIX:-mf}
OUT=$(mktemp -d /tmp/mass-failover-bench.XXXXXX)
N=3 VICTIM=3
. "$top/tests/bench/bench-lab-lib.sh"
find_bin_dir crmd cibd crm-launcherd cibadmin crm_attribute
export CRM_BIN_DIR
ON_TIMEOUT=120

crm_attribute_on() {
    local s=$1 k=$2; shift 2
    if [ "$s" = ours ]; then on "$s" "$k" "$CRM_BIN_DIR/crm_attribute" "$@"; else on "$s" "$k" crm_attribute "$@"; fi
}
# running_on S K — how many Dummy state files node K's /run holds
running_on() { on "$1" "$2" sh -c 'ls /run/resource-agents/ 2>/dev/null | grep -c "^Dummy-d[0-9]*\.state$"'; }
# placement S — "d1 n1\nd2 n2 ..." for every Dummy state file on a live node
placement() {
    local s=$1 k
    for k in $(seq 1 "$N"); do
        on "$s" "$k" sh -c 'ls /run/resource-agents/ 2>/dev/null' 2>/dev/null |
            sed -n "s/^Dummy-\(d[0-9]*\)\.state$/\1 n$k/p"
    done
}
configure() {
    local s=$1 i xml
    # Fencing off, as failover-bench.sh without --fenced: the figure is each
    # stack's recovery of N resources after a clean node death, not the fence
    # agent's run (the same for both stacks, and measured with one resource by
    # failover-bench.sh --fenced).
    cibadmin_on "$s" 1 --modify --allow-create -o configuration --xml-text \
        "<configuration><crm_config><cluster_property_set id=\"bench-options\"><nvpair id=\"bench-stonith\" name=\"stonith-enabled\" value=\"false\"/><nvpair id=\"bench-batch\" name=\"batch-limit\" value=\"$BATCH_LIMIT\"/><nvpair id=\"bench-nal\" name=\"node-action-limit\" value=\"$NODE_ACTION_LIMIT\"/><nvpair id=\"bench-load\" name=\"load-threshold\" value=\"$LOAD_THRESHOLD\"/></cluster_property_set></crm_config><rsc_defaults><meta_attributes id=\"bench-rsc-defaults\"><nvpair id=\"bench-stickiness\" name=\"resource-stickiness\" value=\"100\"/></meta_attributes></rsc_defaults></configuration>" || return 1
    for k in 1 2; do crm_attribute_on "$s" 1 --node "n$k" --name standby --update on || return 1; done
    xml="<resources>"
    for i in $(seq 1 "$RESOURCES"); do
        xml="$xml<primitive id=\"d$i\" class=\"ocf\" provider=\"heartbeat\" type=\"Dummy\"><operations><op id=\"d$i-monitor\" name=\"monitor\" interval=\"${MONITOR}s\" timeout=\"20s\"/></operations></primitive>"
    done
    printf '%s</resources>' "$xml" > "$OUT/resources.xml"
    cibadmin_on "$s" 1 --modify --allow-create -o resources --xml-file "$OUT/resources.xml"
}

# memory_report S — issue 15's benchmark 3: every daemon's memory on every
# node with the N resources running on n3 and their recurring monitors, the
# cluster settled. PSS (each process's share of the pages it shares, so the
# figures add up) and RSS, in MiB, per daemon per node, then per daemon over
# the nodes. Agents and shells are left out.
memory_report() {
    local s=$1 k pid comm pss rss
    for k in $(seq 1 "$N"); do
        for pid in $(ip netns pids "$(lab_name "$s")-n$k" 2>/dev/null); do
            comm=$(cat "/proc/$pid/comm" 2>/dev/null) || continue
            [[ "$comm" =~ ^(corosync|crm-launcherd|cibd|lrmd|fenced|attrd|crmd|pacemakerd|pacemaker-.*)$ ]] || continue
            pss=$(awk '/^Pss:/ {print $2}' "/proc/$pid/smaps_rollup" 2>/dev/null)
            rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null)
            echo "n$k $comm ${pss:-0} ${rss:-0}"
        done
    done > "$OUT/$s-memory"
    echo "$s: memory with $RESOURCES resources and their monitors on n$VICTIM (PSS / RSS MiB per node, n1..n$N):" | tee -a "$OUT/results"
    awk -v n="$N" '{ pss[$2, $1] += $3; rss[$2, $1] += $4; seen[$2] = 1; tp[$2] += $3 }
        END { for (d in seen) { line = sprintf("  %-24s", d);
                for (k = 1; k <= n; k++) line = line sprintf(" %7.1f / %-7.1f", pss[d, "n" k] / 1024, rss[d, "n" k] / 1024);
                printf "%s  all nodes PSS %.1f\n", line, tp[d] / 1024 } }' "$OUT/$s-memory" | sort | tee -a "$OUT/results"
}

run_side() {
    local s=$1 deadline kill_ts before after seen detect last k t v survivors changes once
    echo "== $s: bringing up $N nodes (lab $(lab_name "$s")), $RESOURCES resources"
    side_down "$s"
    side_up "$s" >"$OUT/$s-up.log" 2>&1 || { echo "$s: lab-up failed, see $OUT/$s-up.log"; tail "$OUT/$s-up.log"; return 1; }
    deadline=$((SECONDS + 120))
    until [ -n "$(dc_of "$s" 1)" ] && [ "$(online_count "$s" 1)" = "$N" ]; do
        [ $SECONDS -lt $deadline ] || { echo "$s: no DC with all nodes online"; return 1; }
        sleep 1
    done
    configure "$s" >"$OUT/$s-config.log" 2>&1 || { echo "$s: configuring failed, see $OUT/$s-config.log"; return 1; }
    local t0=$SECONDS
    deadline=$((SECONDS + 1800))
    until [ "$(running_on "$s" "$VICTIM")" = "$RESOURCES" ]; do
        [ $SECONDS -lt $deadline ] || { echo "$s: only $(running_on "$s" "$VICTIM") of $RESOURCES started on n$VICTIM"; return 1; }
        sleep 2
    done
    echo "$s: $RESOURCES resources running on n$VICTIM after $((SECONDS - t0)) s"
    for k in 1 2; do crm_attribute_on "$s" 1 --node "n$k" --name standby --update off >/dev/null 2>&1; done
    # Settled: the standby lift changed nothing (stickiness), all still on n3, and no CIB change for 5 s.
    deadline=$((SECONDS + 600)) v=""
    while :; do
        sleep 5
        t=$(cib_version "$s" 1)
        [ "$t" = "$v" ] && [ "$(running_on "$s" "$VICTIM")" = "$RESOURCES" ] && break
        v=$t
        [ $SECONDS -lt $deadline ] || { echo "$s: not settled before the kill"; return 1; }
    done
    memory_report "$s"
    before=$(cib_version "$s" 1)
    kill_ts=$(labcmd "$s" kill-node.sh "$VICTIM" | sed -n 's/^KILL_TS=//p')
    [ -n "${ON_KILL:-}" ] && { bash -c "$ON_KILL" >"$OUT/$s-on-kill.log" 2>&1 & }
    seen="" deadline=$((SECONDS + 1800))
    while [ $SECONDS -lt $deadline ]; do
        survivors=$(( $(running_on "$s" 1) + $(running_on "$s" 2) ))
        [ "$survivors" -ge "$RESOURCES" ] && { seen=$(now_s); break; }
        sleep 0.5  # the probe itself costs CPU the stacks need
    done
    # The rest of the transition (the monitors) and the last CIB writes.
    v="" deadline=$((SECONDS + 600))
    while :; do
        sleep 5
        t=$(cib_version "$s" 1)
        [ "$t" = "$v" ] && break
        v=$t
        [ $SECONDS -lt $deadline ] || break
    done
    after=$(cib_version "$s" 1)
    detect=$(first_ts "$s" "$VICTIM" "$(detect_re "$s" "$VICTIM")" "$kill_ts")
    last=""
    for k in 1 2; do
        t=$(log_ts "$s" "$k" "$(start_ok_re "$s" "$k")" "$kill_ts" last)
        [ -n "$t" ] && { [ -z "$last" ] || awk -v a="$t" -v b="$last" 'BEGIN{exit !(a>b)}'; } && last=$t
    done
    placement "$s" > "$OUT/$s-placement"
    once=$(awk -v n="$RESOURCES" '{ c[$1]++ } END { twice = 0; for (r in c) if (c[r] > 1) twice++;
        missing = n - length(c); if (twice == 0 && missing == 0) print "yes"; else printf "no(twice=%d,missing=%d)", twice, missing }' \
        "$OUT/$s-placement")
    changes=$(awk -v b="$before" -v a="$after" 'BEGIN { split(b, x, " "); split(a, y, " ");
        if (x[1] == y[1] && x[2] != "" && y[2] != "") print y[2] - x[2]; else printf "epoch %s->%s", x[1], y[1] }')
    printf '%s: N=%d detect=%s ms, detect->last-start=%s ms, kill->all-seen=%s ms, changes=%s, once=%s (cib %s -> %s)\n' \
        "$s" "$RESOURCES" "$(ms "$kill_ts" "$detect")" "$(ms "$detect" "$last")" "$(ms "$kill_ts" "$seen")" \
        "$changes" "$once" "$before" "$after" | tee -a "$OUT/rounds"
    [ "$KEEP" = 1 ] || side_down "$s"
}

# start_ok_re S K — a successful start of a dK resource, as node K's controller logs it
start_ok_re() { [ "$1" = ours ] && echo "crmd\[n[0-9]+\]: result d[0-9]+_start_0 .*ok" || echo "Result of start operation for d[0-9]+ on n$2: ok"; }

run_sides "$SIDE"
echo
echo "mass-failover-bench: 3 nodes, $RESOURCES Dummy resources (monitor ${MONITOR}s) on n$VICTIM killed; token ${TOKEN} ms;"
echo "  batch-limit=$BATCH_LIMIT node-action-limit=$NODE_ACTION_LIMIT load-threshold=$LOAD_THRESHOLD (both sides)"
cat "$OUT/rounds" 2>/dev/null
echo "(logs in $OUT)"

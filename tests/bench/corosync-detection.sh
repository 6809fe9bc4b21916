#!/bin/bash
# corosync-detection.sh [--nodes N] [--token MS] [--rounds R] [--victim K]
#
# Benchmark (prints figures, asserts nothing): how long after kill -9 of one
# node's corosync the other nodes' CPG clients (our cpg_probe, built on
# crm_cluster) get the membership change. Builds its own lab (LAB_NAME,
# default crmbench; corosync only), then R times: probes on every node join
# group "bench-detect", corosync of node K is killed by PID (KILL_TS taken
# just before), each survivor's probe timestamps the CONFCHG in which K left;
# corosync on K is restarted and rejoins. Prints one line per observation and
# min/median/worst over all of them, with the token timeout used. The lab is
# torn down at the end. Defaults: 3 nodes, token 1000 ms, 5 rounds, K = N.
# Needs root and a build with cpg_probe (CPG_PROBE or build/tests/cpg_probe).
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
LAB=$top/tests/e2e/lab
export LAB_NAME=${LAB_NAME:-crmbench}
. "$LAB/lab-common.sh"
N=3 TOKEN=1000 ROUNDS=5 VICTIM=
while [ $# -gt 0 ]; do
    case "$1" in
        --nodes) N=$2; shift 2 ;;
        --token) TOKEN=$2; shift 2 ;;
        --rounds) ROUNDS=$2; shift 2 ;;
        --victim) VICTIM=$2; shift 2 ;;
        *) sed -n '2,14p' "$0" >&2; exit 2 ;;
    esac
done
VICTIM=${VICTIM:-$N}
PROBE=${CPG_PROBE:-}
for c in "$PROBE" "$top/build/tests/cpg_probe" "$top"/build-*/tests/cpg_probe; do
    [ -n "$c" ] && [ -x "$c" ] && { PROBE=$c; break; }
done
[ -x "$PROBE" ] || die "cpg_probe not found: build it (cmake --build build --target cpg_probe) or set CPG_PROBE"

trap '"$LAB/lab-down.sh" --purge >/dev/null 2>&1 || true' EXIT
"$LAB/lab-up.sh" "$N" --no-daemons --token "$TOKEN"

all_see() {  # all_see "NODES" REGEX
    local k; for k in $1; do grep -qE "$2" "$(node_dir "$k")/bench.log" 2>/dev/null || return 1; done
}
start_probe() {
    local d; d=$(node_dir "$1")
    setsid "$LAB/lab-exec.sh" "$1" "$PROBE" -g bench-detect >"$d/bench.log" 2>&1 </dev/null &
    echo $! > "$d/bench.pid"
}
everyone=$(seq 1 "$N" | tr '\n' ' ')
survivors=$(seq 1 "$N" | grep -vx "$VICTIM" | tr '\n' ' ')
all_members=$(seq -s, 1 "$N")
results=()
for r in $(seq 1 "$ROUNDS"); do
    for k in $everyone; do start_probe "$k"; done
    wait_until 30 all_see "$everyone" "CONFCHG members=$all_members " || die "round $r: probes did not see all members"
    sleep 0.5
    kill_ts=$("$LAB/kill-node.sh" "$VICTIM" --corosync-only | sed -n 's/^KILL_TS=//p')
    wait_until 60 all_see "$survivors" "left=([0-9,]*,)?$VICTIM(,|\$)" || die "round $r: node $VICTIM's departure not seen"
    for k in $survivors; do
        ms=$(awk -v t="$kill_ts" -v v="$VICTIM" '$2 == "CONFCHG" && $0 ~ ("left=([0-9,]*,)?" v "(,|$)") {printf "%.0f", ($1 - t) * 1000; exit}' "$(node_dir "$k")/bench.log")
        echo "round $r: n$k saw n$VICTIM leave after $ms ms"
        results+=("$ms")
    done
    for k in $everyone; do kill "$(cat "$(node_dir "$k")/bench.pid")" 2>/dev/null || true; done
    "$LAB/node-start.sh" "$VICTIM" --corosync-only >/dev/null
    full() { [ "$(node_member_count 1)" = "$N" ] && [ "$(node_member_count "$VICTIM")" = "$N" ]; }
    wait_until 60 full || die "round $r: node $VICTIM did not rejoin"
done
sorted=$(printf '%s\n' "${results[@]}" | sort -n)
count=${#results[@]}
median=$(echo "$sorted" | awk -v n="$count" 'NR == int((n + 1) / 2) {print}')
echo "corosync-detection: nodes=$N token=${TOKEN}ms (token_coefficient 0, consensus default 1.2*token) rounds=$ROUNDS observations=$count"
echo "corosync-detection: kill -9 corosync -> CPG confchg on survivors: min=$(echo "$sorted" | head -1) ms median=$median ms worst=$(echo "$sorted" | tail -1) ms"

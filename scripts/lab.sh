#!/usr/bin/env bash
# lab.sh — front end for the local multi-node lab (tests/e2e/lab, docs/lab.md).
#
#   lab.sh up [N] [--token MS] [--no-daemons]   build an N-node lab (default 3) with
#                                               corosync and, from $CRM_BIN_DIR
#                                               (default build/bin), crm-launcherd
#   lab.sh up [N] --stack peer                  the same with Debian's pacemakerd
#                                               (the peer's stack) in every node
#   lab.sh down [--purge]                       stop everything, remove namespaces
#   lab.sh exec N CMD...                        run CMD on node N
#   lab.sh kill N [--corosync-only]             SIGKILL node N's processes (crash)
#   lab.sh start N                              (re)start node N (after kill)
#   lab.sh partition split A,B C | isolate N | heal | show
#   lab.sh status                               processes, membership, quorum per node
#
# LAB_NAME (default crmlab) names everything the lab creates, so engineers
# running labs at the same time use different names (e.g. LAB_NAME=crmdev).
# Needs root.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
lab=$top/tests/e2e/lab
export LAB_NAME=${LAB_NAME:-crmlab}
if [ -z "${CRM_BIN_DIR:-}" ] && [ -d "$top/build/bin" ]; then export CRM_BIN_DIR=$top/build/bin; fi

usage() { sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
cmd=${1:-}; [ -n "$cmd" ] || usage; shift

status() {
    . "$lab/lab-common.sh"
    local n; n=$(lab_size)
    [ "$n" -gt 0 ] || { echo "lab $LAB_NAME: not running"; return 1; }
    if [ "$(lab_stack)" = peer ]; then
        echo "lab $LAB_NAME: $n nodes, token $(cat "$LAB_ROOT/token") ms, root $LAB_ROOT, the peer's stack ($LAB_PEER_PACEMAKERD)"
    else
        echo "lab $LAB_NAME: $n nodes, token $(cat "$LAB_ROOT/token") ms, root $LAB_ROOT, daemons from $(cat "$LAB_ROOT/bin_dir" 2>/dev/null)"
    fi
    for k in $(seq 1 "$n"); do
        local pids procs members q
        pids=$(node_pids "$k" | tr '\n' ',' | sed 's/,$//')
        procs=$( [ -n "$pids" ] && ps -o comm= -p "$pids" | sort | uniq -c | awk '{printf "%s%s", (NR>1?" ":""), ($1>1 ? $2"x"$1 : $2)}' || echo "-")
        members=$(node_member_count "$k")
        if node_quorate "$k"; then q=yes; else q=no; fi
        printf "  n%-3s %-15s members=%-2s quorate=%-3s  %s\n" "$k" "$(node_ip "$k")" "$members" "$q" "${procs:--}"
    done
    "$lab/partition.sh" show | sed 's/^/  port /'
}

case "$cmd" in
    up)
        n=3
        if [ $# -gt 0 ] && [[ "$1" =~ ^[0-9]+$ ]]; then n=$1; shift; fi
        "$lab/lab-up.sh" "$n" "$@"
        ;;
    down) "$lab/lab-down.sh" "$@" ;;
    exec) "$lab/lab-exec.sh" "$@" ;;
    kill) "$lab/kill-node.sh" "$@" ;;
    start) "$lab/node-start.sh" "$@" ;;
    partition) "$lab/partition.sh" "$@" ;;
    status) status ;;
    *) usage ;;
esac

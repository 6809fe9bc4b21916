#!/bin/bash
# kill-node.sh K [--corosync-only] [--signal SIG]
#
# Crashes node K: one kill(2) with SIGKILL (or SIG) for every process in the
# node (`ip netns pids`), or with --corosync-only only for corosync's PID
# (from $LAB_ROOT/nK/corosync.pid). Prints KILL_TS=<epoch seconds> taken just
# before the kill, for latency measurements. A whole-node SIGKILL also drops
# what a power loss would: run-time addresses on eth0 (floating IPs) and the
# node's /run and /dev/shm, what the node mounted since the lab made it
# (node_mount_baseline) and the loop devices under those mounts. node-start.sh
# K brings it back. The same for
# either stack: the peer's pacemakerd and its daemons are processes of the node
# as crm-launcherd and ours are (a clean stop of one node: --signal TERM).
set -euo pipefail
. "$(dirname "$0")/lab-common.sh"
need_root
[ $# -ge 1 ] || { echo "usage: $0 K [--corosync-only] [--signal SIG]" >&2; exit 2; }
k=$1; shift
SIG=KILL; ONLY=0
while [ $# -gt 0 ]; do
    case "$1" in
        --corosync-only) ONLY=1; shift ;;
        --signal) SIG=$2; shift 2 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done
if [ "$ONLY" = 1 ]; then
    pids=$(cat "$(node_dir "$k")/corosync.pid" 2>/dev/null || true)
    pid_alive "$pids" || die "n$k: corosync is not running"
else
    pids=$(echo $(node_pids "$k"))
    [ -n "$pids" ] || die "n$k: nothing running"
fi
echo "KILL_TS=$(now_ts)"
kill -"$SIG" $pids 2>/dev/null || true  # some may have exited since they were listed
echo "n$k: SIG$SIG sent to $pids"
if [ "$SIG" = KILL ]; then wait_gone "$pids" 10 || lab_log "n$k: some PIDs outlived SIGKILL"; fi
if [ "$SIG" = KILL ] && [ "$ONLY" = 0 ]; then
    # A power cut also stops what was being started at that moment (a boot
    # racing the fence): kill whatever appeared since the list was taken.
    for _ in 1 2 3 4 5; do
        more=$(echo $(node_pids "$k"))
        [ -n "$more" ] || break
        kill -KILL $more 2>/dev/null || true
        wait_gone "$more" 5 || true
    done
fi
if [ "$SIG" = KILL ] && [ "$ONLY" = 0 ]; then
    # A crashed machine loses its volatile state: addresses added to eth0 at
    # run time (floating IPs) and the contents of /run and /dev/shm. Without
    # this a "dead" node would keep answering on a floating IP.
    ns=$(node_ns "$k")
    for a in $(ip -n "$ns" -4 -o addr show dev eth0 | awk '{print $4}'); do
        [ "${a%/*}" = "$(node_ip "$k")" ] || ip -n "$ns" addr del "$a" dev eth0 2>/dev/null || true
    done
    node_unmount_made "$k"  # what it mounted, and its loop devices
    ( node_exec "$k" /bin/sh -c 'rm -rf /run/* /dev/shm/* 2>/dev/null; mkdir -p -m 1777 /run/lock' ) || true
fi

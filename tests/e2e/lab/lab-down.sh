#!/bin/bash
# lab-down.sh [--purge]
#
# Tears down lab $LAB_NAME and nothing else: every process in the lab's node
# namespaces gets SIGTERM, then SIGKILL after a grace period (LAB_STOP_GRACE,
# default 10 s; daemons of a node are asked first so crm-launcherd, or the
# peer's pacemakerd, can stop them in order); then the persistent mount/UTS namespaces are unmounted and
# the network namespaces deleted (taking veths and bridges with them).
# Logs under $LAB_ROOT stay for inspection unless --purge. Idempotent; safe on
# a half-built lab.
set -euo pipefail
. "$(dirname "$0")/lab-common.sh"
need_root
PURGE=0; [ "${1:-}" = --purge ] && PURGE=1
GRACE=${LAB_STOP_GRACE:-10}

# 1. Processes: launchers first (crm-launcherd, or the peer's pacemakerd: they
#    stop their daemons in order), then everything.
launchers=""
for f in "$LAB_ROOT"/n*/launcher.pid "$LAB_ROOT"/n*/pacemakerd.pid; do
    [ -f "$f" ] && pid_alive "$(cat "$f")" && launchers="$launchers $(cat "$f")"
done
[ -n "$launchers" ] && stop_pids "$launchers" "$GRACE"
pids=""
for ns in $(lab_netns_list); do
    pids="$pids $(ip netns pids "$ns" 2>/dev/null | tr '\n' ' ')"
done
pids=$(echo $pids)
if [ -n "$pids" ]; then
    lab_log "stopping $pids"
    stop_pids "$pids" "$GRACE"
fi

# 2. What a node mounted and left (a stop that failed, a killed agent): its
#    loop devices are the host's and would outlive the namespace.
for f in "$LAB_ROOT"/n*/mounts.base; do
    [ -f "$f" ] || continue
    k=${f%/mounts.base}; k=${k##*/n}
    node_unmount_made "$k" >/dev/null
done

# 3. Persistent namespaces (mount + UTS), then their private bind mount.
NSD=$(ns_dir)
for f in "$NSD"/n*.mnt "$NSD"/n*.uts; do
    [ -e "$f" ] || continue
    umount "$f" 2>/dev/null || true
    rm -f "$f"
done
if mountpoint -q "$NSD" 2>/dev/null; then umount "$NSD" || umount -l "$NSD"; fi

# 4. Network namespaces.
for ns in $(lab_netns_list); do ip netns del "$ns" 2>/dev/null || lab_log "could not delete netns $ns"; done

rm -f "$LAB_ROOT/size"
if [ "$PURGE" = 1 ]; then
    # Never follow anything still mounted under the root.
    if grep -q " ${LAB_ROOT}/" /proc/mounts; then
        lab_log "mounts left under $LAB_ROOT; not purging"
    else
        rm -rf "$LAB_ROOT"
    fi
fi
echo "lab down ($LAB_NAME)"

#!/bin/bash
# node-start.sh K [--corosync-only | --daemons-only]
#
# (Re)starts node K: corosync (PID in $LAB_ROOT/nK/corosync.pid, output in
# corosync.log), then, when $CRM_BIN_DIR/crm-launcherd exists and the lab was
# built with daemons, crm-launcherd (launcher.pid, launcher.log), which starts
# cibd, lrmd, fenced and crmd. In a lab of the peer's stack (lab-up.sh --stack
# peer) it starts Debian's pacemakerd instead (pacemakerd.pid, pacemakerd.log;
# its daemons log to the node's /var/log/pacemaker/pacemaker.log, linked as
# pacemaker.log beside it), which starts the peer's daemons.
# A node with no process left is "rebooted" first: its
# /run and /dev/shm are emptied. Something already running is left alone.
set -euo pipefail
. "$(dirname "$0")/lab-common.sh"
need_root
[ $# -ge 1 ] || { echo "usage: $0 K [--corosync-only|--daemons-only]" >&2; exit 2; }
k=$1; MODE=${2:-all}
d=$(node_dir "$k")
netns_exists "$(node_ns "$k")" || die "node $k does not exist"

alive_pidfile() { [ -f "$1" ] && pid_alive "$(cat "$1")"; }

# The power button: a node whose BMC has it powered off (fenced with
# stonith-action=off) is powered on, its links up, before it boots.
b=$(bmc_dir "$k")
if [ -f "$b/power" ] && [ "$(cat "$b/power")" = 0 ]; then
    echo 1 > "$b/power"
    ip -n "$(node_ns "$k")" link set eth0 up
fi

if [ -z "$(node_pids "$k")" ]; then
    # Reboot semantics: fresh /run and /dev/shm, with what boot-time
    # tmpfiles.d would create there (resource agents keep state in
    # /run/resource-agents and fail when it is missing).
    ( node_exec "$k" /bin/sh -c 'rm -rf /run/* /dev/shm/* 2>/dev/null; mkdir -p -m 1777 /run/lock; mkdir -p -m 1755 /run/resource-agents' ) || true
fi

if [ "$MODE" != --daemons-only ] && ! alive_pidfile "$d/corosync.pid"; then
    # setsid: own session, not tied to the caller's terminal; $! is corosync itself.
    setsid bash -c '. "$1/lab-common.sh"; node_exec "$2" corosync -f' lab "$LAB_SCRIPTS" "$k" \
        >>"$d/corosync.log" 2>&1 </dev/null &
    echo $! > "$d/corosync.pid"
    # corosync's IPC must answer before clients connect.
    wait_until 10 bash -c "( . '$LAB_SCRIPTS/lab-common.sh'; node_exec $k corosync-cmapctl -g totem.cluster_name ) >/dev/null 2>&1" \
        || die "n$k: corosync did not come up (see $d/corosync.log)"
    echo "n$k: corosync pid $(cat "$d/corosync.pid")"
fi

want=$(cat "$LAB_ROOT/daemons" 2>/dev/null || echo 1)
if [ "$(lab_stack)" = peer ]; then
    if [ "$MODE" != --corosync-only ] && [ "$want" = 1 ] && ! alive_pidfile "$d/pacemakerd.pid"; then
        [ -x "$LAB_PEER_PACEMAKERD" ] || die "n$k: the peer's $LAB_PEER_PACEMAKERD is not installed"
        # pacemakerd always stays in the foreground ($! is pacemakerd) and
        # starts the peer's daemons (as hacluster, or root for execd and
        # fenced); they find corosync, each other (libqb: abstract sockets,
        # /dev/shm) and their state in the node. It logs to the node's
        # /var/log/pacemaker, not syslog.
        setsid bash -c '. "$1/lab-common.sh"; node_exec "$2" env PCMK_logfile=/var/log/pacemaker/pacemaker.log PCMK_logfacility=none "$3"' \
            lab "$LAB_SCRIPTS" "$k" "$LAB_PEER_PACEMAKERD" >>"$d/pacemakerd.log" 2>&1 </dev/null &
        echo $! > "$d/pacemakerd.pid"
        ln -sfn var-log-pacemaker/pacemaker.log "$d/pacemaker.log"
        echo "n$k: pacemakerd pid $(cat "$d/pacemakerd.pid")"
    fi
    exit 0
fi
# The lab keeps the binary directory it was built with (lab-up.sh).
[ -n "${CRM_BIN_DIR:-}" ] || CRM_BIN_DIR=$(cat "$LAB_ROOT/bin_dir" 2>/dev/null || true)
export CRM_BIN_DIR
if [ "$MODE" != --corosync-only ] && [ "$want" = 1 ] && ! alive_pidfile "$d/launcher.pid"; then
    if [ -n "${CRM_BIN_DIR:-}" ] && [ -x "$CRM_BIN_DIR/crm-launcherd" ]; then
        conf=$d/etc-crm/launcher.conf
        # Rewritten on every start unless someone replaced it with their own.
        { [ ! -f "$conf" ] || head -1 "$conf" | grep -q '^# Written by the lab'; } && cat > "$conf" <<CONF
# Written by the lab (tests/e2e/lab/node-start.sh); delete this line to keep your own version.
daemons = $(cat "$LAB_ROOT/daemon_list" 2>/dev/null || echo cibd lrmd fenced attrd crmd)
bin_dir = ${CRM_BIN_DIR}
log_file = /var/log/crm/launcher.log
$(cat "$LAB_ROOT/launcher_extra" 2>/dev/null)
CONF
        setsid bash -c '. "$1/lab-common.sh"; k=$2; shift 2; node_exec "$k" env CRM_BIN_DIR="$CRM_BIN_DIR" "$@"' \
            lab "$LAB_SCRIPTS" "$k" "$CRM_BIN_DIR/crm-launcherd" --config /etc/crm/launcher.conf \
            >>"$d/launcher.log" 2>&1 </dev/null &
        echo $! > "$d/launcher.pid"
        echo "n$k: crm-launcherd pid $(cat "$d/launcher.pid")"
    elif [ "$MODE" = --daemons-only ]; then
        lab_log "n$k: no crm-launcherd in CRM_BIN_DIR='${CRM_BIN_DIR:-}': daemons not started"
    fi
fi
